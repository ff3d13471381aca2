package io.riata.http.data.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UpstreamTlsTest {

  @ParameterizedTest
  @CsvSource({
      "localhost, localhost",
      "erigon, erigon",
      "eth-mainnet.example.com, eth-mainnet.example.com",
      "node.example.org., node.example.org"})
  void sendsEveryHostNameAsSniWithoutATrailingDot(String host, String sent) {
    assertEquals(sent, UpstreamTls.serverName(host).getAsciiName());
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "::1", "[::1]", "under_score"})
  void sendsNoSniForAddressesOrNamesItCannotCarry(String host) {
    assertNull(UpstreamTls.serverName(host));
  }

  @Test
  void aTrustedCertificatesFileWithoutCertificatesIsReportedBySettingAndPath(@TempDir Path dir) throws IOException {
    Path notPem = Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");
    Path empty = Files.writeString(dir.resolve("empty.pem"), "");
    for (Path bad : new Path[] {notPem, empty, dir.resolve("missing.pem")}) {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> UpstreamTls.clientContext(bad));
      assertTrue(e.getMessage().startsWith("riata.http.upstream.tls.trusted-certificates: cannot use " + bad + ": "),
          e.getMessage());
    }
  }
}
