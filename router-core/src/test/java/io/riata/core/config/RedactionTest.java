package io.riata.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RedactionTest {

  @ParameterizedTest
  @CsvSource({
      "https://eth.example.com/v3/KEY, https://eth.example.com/<redacted>",
      "https://eth.example.com?apikey=KEY, https://eth.example.com/<redacted>",
      "https://eth.example.com/?apikey=KEY, https://eth.example.com/<redacted>",
      "https://user:pass@eth.example.com:8545/, https://<redacted>@eth.example.com:8545/",
      "wss://eth.example.com/ws/KEY#frag, wss://eth.example.com/<redacted>",
      "http://127.0.0.1:8545, http://127.0.0.1:8545",
      "http://[::1]:8545/KEY, http://[::1]:8545/<redacted>",
  })
  void urlsKeepSchemeHostAndPortOnly(String url, String shown) {
    assertEquals(shown, Redaction.url(URI.create(url)));
  }

  @ParameterizedTest
  @CsvSource({
      "htps://eth.example.com/v3/KEY, htps://eth.example.com/<redacted>",
      "https://u:p@eth.example.com?k=KEY, https://<redacted>@eth.example.com/<redacted>",
      "eth.example.com/v3/KEY, eth.example.com/<redacted>",
      "https://${HOST}/${KEY}, https://${HOST}/<redacted>",
  })
  void textThatIsNoUrlKeepsItsSchemeAndHostOnly(String text, String shown) {
    assertEquals(shown, Redaction.urlText(text));
  }

  @Test
  void originDropsUserInfoPathAndQuery() {
    assertEquals("https://eth.example.com:8443", Redaction.origin(URI.create("https://u:p@eth.example.com:8443/KEY?k=v")));
  }

  @Test
  void headersKeepTheirNamesOnly() {
    assertEquals(Map.of("Authorization", "<redacted>", "x-api-key", "<redacted>"),
        Redaction.headers(Map.of("Authorization", "Bearer abc", "x-api-key", "abc")));
  }

  @Test
  void providerConfigPrintsNoSecret() {
    String text = provider().toString();
    assertFalse(text.contains("canary"), text);
    assertTrue(text.contains("id=a") && text.contains("eth.example.com"), text);
  }

  @Test
  void scrubHidesAProvidersKeysInFreeText() {
    String text = "failed: GET https://eth.example.com/v3/canary-path-1?apikey=canary-query-2 said "
        + "invalid key canary-path-1, token canary-header-3, query apikey=canary-query-2";
    String scrubbed = Redaction.scrub(text, provider());
    assertFalse(scrubbed.contains("canary"), scrubbed);
    assertTrue(scrubbed.startsWith("failed: GET https://eth.example.com/<redacted> said"), scrubbed);
  }

  private static ProviderConfig provider() {
    return new ProviderConfig("a", URI.create("https://eth.example.com/v3/canary-path-1?apikey=canary-query-2"),
        URI.create("wss://u:canary-pass-4@eth.example.com/ws/canary-path-1"), 1, 1, false, Set.of(), Set.of(),
        Duration.ofSeconds(1), Map.of("Authorization", "Bearer canary-header-3"), 8);
  }
}
