package io.riata.http.tls;

import static io.riata.http.TestNodes.call;
import static io.riata.http.TestNodes.json;
import static io.riata.http.TestNodes.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.riata.core.config.ChainConfig;
import io.riata.core.config.ProviderConfig;
import io.riata.core.jsonrpc.JsonRpcErrors;
import io.riata.http.RiataServer;
import io.riata.http.TestNodes;
import io.riata.http.data.RoutingHeaders;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TLS towards providers, against real TLS servers on 127.0.0.1 whose certificates come from a CA
 * made for the test ({@link TestPki}), trusted through
 * {@code riata.http.upstream.tls.trusted-certificates}: a good certificate is accepted with SNI
 * sent and connections kept alive; a certificate for another host, or from a CA nobody trusts, is
 * refused as a failed handshake, before any request is sent.
 */
class TlsUpstreamIT {

  private static final String SETTING = "riata.http.upstream.tls.trusted-certificates";
  /**
   * Two event loops bound the connections a keep-alive pool may open (one per loop). The breaker
   * thresholds are raised so that a refused provider is still tried when a test asks, and the
   * attempt log shows the handshake failure rather than an open breaker.
   */
  private static final String NODE_SETTINGS = """
      riata.http.event-loops = 2
      riata.cluster.breaker.failure-threshold = 50
      riata.cluster.local-trip.consecutive-failures = 50
      """;

  private static TestPki pki;
  private static final List<TlsRpcServer> SERVERS = new ArrayList<>();
  private static TlsRpcServer trusted;
  private static TlsRpcServer reused;
  private static TlsRpcServer backup;
  private static TlsRpcServer misnamed;
  private static TlsRpcServer stranger;
  private static RiataServer node;

  @BeforeAll
  static void start() throws IOException {
    pki = TestPki.create();
    SSLContext localhost = TestPki.serverContext(pki.signedServer("localhost", "localhost"));
    trusted = serve(TlsRpcServer.start(localhost));
    reused = serve(TlsRpcServer.start(localhost));
    backup = serve(TlsRpcServer.withoutHead(localhost));
    misnamed = serve(TlsRpcServer.start(TestPki.serverContext(pki.signedServer("elsewhere", "not-this-host.example"))));
    stranger = serve(TlsRpcServer.start(TestPki.serverContext(pki.selfSignedServer("stranger", "localhost"))));
    node = TestNodes.start(TestNodes.config(List.of(
        chain("trusted", 1, new ProviderConfig("trusted", trusted.url("/rpc/key"), null, 1, 1, false, Set.of(),
            Set.of(), null, Map.of("X-Api-Key", "k-123"), 64)),
        chain("reuse", 2, provider("reused", reused, 1)),
        chain("misnamed-then-good", 3, provider("misnamed", misnamed, 1), provider("backup", backup, 2)),
        chain("misnamed-only", 4, provider("misnamed-alone", misnamed, 1)),
        chain("stranger-then-good", 5, provider("stranger", stranger, 1), provider("backup", backup, 2)),
        chain("stranger-only", 6, provider("stranger-alone", stranger, 1))), List.of()),
        trust(pki.caPem()) + NODE_SETTINGS);
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
    SERVERS.forEach(TlsRpcServer::close);
    if (pki != null) {
      pki.close();
    }
  }

  private static TlsRpcServer serve(TlsRpcServer server) {
    SERVERS.add(server);
    return server;
  }

  private static ProviderConfig provider(String id, TlsRpcServer server, int priority) {
    return TestNodes.provider(id, server.url("/"), priority);
  }

  /**
   * Strategy {@code priority}, a lag limit no test reaches, and a block time of 30 s so that head
   * probes come every 15 s: a refused provider is probed once or twice during the class, not
   * four times a second.
   */
  private static ChainConfig chain(String name, long chainId, ProviderConfig... providers) {
    return new ChainConfig(name, chainId, Duration.ofSeconds(30), 1000, "priority", 128, List.of(providers));
  }

  private static String trust(Path pem) {
    try {
      return SETTING + " = " + TestNodes.JSON.writeValueAsString(pem.toString()) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aProviderWhoseCertificateChainsToTheConfiguredCaAnswersWithSniAndItsHeaders() {
    HttpResponse<String> r = post(node, "/rpc/trusted", call("eth_blockNumber", "[]", 7));
    assertEquals(200, r.statusCode(), r.body());
    JsonNode body = json(r.body());
    assertEquals("0x10", body.path("result").asText(), r.body());
    assertEquals(7, body.get("id").asInt());
    assertEquals("trusted", r.headers().firstValue(RoutingHeaders.PROVIDER).orElseThrow());

    TlsRpcServer.Seen seen = trusted.requests().stream()
        .filter(s -> s.method().equals("eth_blockNumber") && s.id().equals("7")).findFirst().orElseThrow();
    assertEquals("k-123", seen.header("X-Api-Key"), "the provider's own header went out: " + seen.headers());
    assertEquals(trusted.url("/").getAuthority(), seen.header("Host"));
    List<String> names = trusted.serverNames();
    assertFalse(names.isEmpty(), "the handshake asked for a server name");
    assertEquals(Set.of("localhost"), Set.copyOf(names), "SNI names the provider's host");
  }

  @Test
  void sequentialRequestsShareAFewKeptAliveConnections() {
    int requests = 40;
    for (int i = 0; i < requests; i++) {
      HttpResponse<String> r = post(node, "/rpc/reuse", call("eth_getBalance", "[\"0x" + "0".repeat(40) + "\",\"latest\"]", i));
      assertEquals("0x10", json(r.body()).path("result").asText(), r.body());
    }
    long connections = reused.connections();
    long requestsSeen = reused.requests().size();
    assertTrue(requestsSeen >= requests, "every read reached the provider: " + requestsSeen);
    // One pool per event loop (two here), shared by the reads and the head probes.
    assertTrue(connections <= 4, connections + " connections for " + requestsSeen + " requests");
    assertTrue(reused.serverNames().size() <= 4, reused.serverNames().size() + " handshakes for "
        + requestsSeen + " requests");
  }

  @Test
  void aCertificateForAnotherHostIsRefusedAndTheReadGoesToTheNextProvider() {
    assertRefusedThenServedByBackup("misnamed-then-good", "misnamed");
    assertEquals(List.of(), misnamed.requests(), "nothing is sent over a refused handshake");
  }

  @Test
  void aCertificateForAnotherHostAloneEndsInAllProvidersFailed() {
    assertAllFailedOnHandshake("misnamed-only", "misnamed-alone");
  }

  @Test
  void aCertificateFromAnUnknownCaIsRefusedAndTheReadGoesToTheNextProvider() {
    assertRefusedThenServedByBackup("stranger-then-good", "stranger");
    assertEquals(List.of(), stranger.requests(), "nothing is sent over a refused handshake");
  }

  @Test
  void aCertificateFromAnUnknownCaAloneEndsInAllProvidersFailed() {
    assertAllFailedOnHandshake("stranger-only", "stranger-alone");
  }

  @Test
  void withoutTrustedCertificatesOnlyTheJdkCasAreTrusted() {
    RiataServer plain = TestNodes.start(TestNodes.config(List.of(
        chain("jdk-cas-only", 7, provider("trusted-elsewhere", trusted, 1))), List.of()), NODE_SETTINGS);
    try {
      assertAllFailedOnHandshake(plain, "jdk-cas-only", "trusted-elsewhere");
    } finally {
      plain.close();
    }
  }

  @Test
  void aMissingTrustedCertificatesFileStopsTheNodeFromStarting() {
    Path missing = pki.dir().resolve("no-such-file.pem");
    assertStartRefused(missing);
  }

  @Test
  void aTrustedCertificatesFileWithoutPemCertificatesStopsTheNodeFromStarting() throws IOException {
    Path notPem = Files.writeString(pki.dir().resolve("not-a-certificate.pem"), "this is no certificate\n");
    assertStartRefused(notPem);
  }

  /**
   * The refused provider comes first by priority. The backup reports no head, so that both rank
   * alike: a provider that never completes a handshake never reports a head either, and one
   * with an unknown head is ranked after every provider whose head is known.
   */
  private static void assertRefusedThenServedByBackup(String chain, String refusedId) {
    HttpResponse<String> r = post(node, "/rpc/" + chain, call("eth_gasPrice", "[]", 11));
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("0x10", json(r.body()).path("result").asText(), r.body());
    assertEquals("backup", r.headers().firstValue(RoutingHeaders.PROVIDER).orElseThrow());
    String log = r.headers().firstValue(RoutingHeaders.ATTEMPT_LOG).orElseThrow();
    assertTrue(log.startsWith(refusedId + "=tls handshake failed, backup="), log);
  }

  private static void assertAllFailedOnHandshake(String chain, String providerId) {
    assertAllFailedOnHandshake(node, chain, providerId);
  }

  private static void assertAllFailedOnHandshake(RiataServer server, String chain, String providerId) {
    HttpResponse<String> r = post(server, "/rpc/" + chain, call("eth_gasPrice", "[]", 12));
    JsonNode error = json(r.body()).path("error");
    assertEquals(JsonRpcErrors.ALL_PROVIDERS_FAILED, error.path("code").asInt(), r.body());
    JsonNode attempts = error.path("data").path("attempts");
    assertEquals(1, attempts.size(), r.body());
    assertEquals(providerId, attempts.get(0).path("provider").asText());
    assertEquals("tls handshake failed", attempts.get(0).path("reason").asText(), r.body());
  }

  private static void assertStartRefused(Path caFile) {
    IllegalStateException refused = assertThrows(IllegalStateException.class, () -> {
      RiataServer started = TestNodes.start(TestNodes.config(List.of(
          chain("never", 8, provider("never", trusted, 1))), List.of()), trust(caFile) + NODE_SETTINGS);
      started.close();
    });
    String message = refused.getMessage();
    assertTrue(message.contains(SETTING), message);
    assertTrue(message.contains(caFile.toString()), message);
  }
}
