package io.riata.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigChangesTest {

  private static final String BASE = """
      chains:
        eth:
          chain_id: 1
          providers:
            - id: a
              http_url: https://a.example
              headers:
                X-Key: secret-1
            - id: b
              http_url: https://b.example
      """;

  private static ChainsConfig parse(String yaml) throws ConfigException {
    return ChainsConfigLoader.parse("chains.yml", yaml, Map.of());
  }

  @Test
  void sameFileChangesNothing() throws Exception {
    ConfigChanges c = ConfigChanges.between(parse(BASE), parse(BASE));
    assertTrue(c.none());
    assertTrue(c.appliesLive());
  }

  @Test
  void priorityWeightAndStrategyApplyLive() throws Exception {
    String next = BASE.replace("    chain_id: 1\n", "    chain_id: 1\n    strategy: priority\n")
        .replace("http_url: https://b.example", "http_url: https://b.example\n        priority: 0\n"
            + "        weight: 5");
    ConfigChanges c = ConfigChanges.between(parse(BASE), parse(next));
    assertTrue(c.appliesLive(), c.toString());
    assertEquals(List.of("chains.eth.strategy: latency-weighted -> priority",
        "chains.eth.providers.b.priority: 2 -> 0", "chains.eth.providers.b.weight: 1 -> 5"), c.live());
  }

  @Test
  void addedProvidersChangedUrlsAndHeadersNeedARestartAndSecretsAreNotEchoed() throws Exception {
    String base = BASE.replace("https://a.example", "https://a.example/v3/key-1?apikey=key-q1");
    String next = BASE.replace("https://a.example", "https://a2.example/v3/key-2?apikey=key-q2")
        .replace("secret-1", "secret-2")
        + "      - id: c\n        http_url: https://c.example\n";
    ConfigChanges c = ConfigChanges.between(parse(base), parse(next));
    assertFalse(c.appliesLive());
    assertEquals(List.of("chains.eth.providers.a.http_url: https://a.example/<redacted> -> https://a2.example/<redacted>",
        "chains.eth.providers.a.headers: changed", "chains.eth.providers.c: added"), c.restart());
    assertFalse(c.toString().contains("secret"));
    assertFalse(c.toString().contains("key-"));
  }

  @Test
  void aKeyChangedOnTheSameHostSaysOnlyThatTheUrlChanged() throws Exception {
    String base = BASE.replace("https://a.example", "https://user:pw-1@a.example/v3/key-1");
    String next = BASE.replace("https://a.example", "https://user:pw-2@a.example/v3/key-2");
    ConfigChanges c = ConfigChanges.between(parse(base), parse(next));
    assertEquals(List.of("chains.eth.providers.a.http_url: changed"), c.restart());
  }

  @Test
  void aRemovedChainNeedsARestart() throws Exception {
    String two = BASE + """
          gnosis:
            chain_id: 100
            providers:
              - id: g
                http_url: https://g.example
        """;
    ConfigChanges c = ConfigChanges.between(parse(two), parse(BASE));
    assertEquals(List.of("chains.gnosis: removed"), c.restart());
  }
}
