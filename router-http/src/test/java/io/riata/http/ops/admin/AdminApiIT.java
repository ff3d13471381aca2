package io.riata.http.ops.admin;

import static io.riata.http.TestNodes.call;
import static io.riata.http.TestNodes.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.riata.core.config.ChainsConfigLoader;
import io.riata.http.RiataServer;
import io.riata.http.TestNodes;
import io.riata.http.data.RoutingHeaders;
import io.riata.http.sim.SimSettings;
import io.riata.http.sim.SimulatedProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The admin API of one node over real HTTP, with a token: every endpoint with a missing, a wrong
 * and the right token; overrides seen in routing; a bad reload rejected with routing unchanged.
 */
class AdminApiIT {

  private static final String TOKEN = "it-admin-token-0123456789";
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static SimulatedProvider a1;
  private static SimulatedProvider a2;
  private static Path file;
  private static String original;
  private static RiataServer server;

  @BeforeAll
  static void start() throws Exception {
    a1 = SimulatedProvider.start(SimSettings.healthy("a1", 5));
    a2 = SimulatedProvider.start(SimSettings.healthy("a2", 5));
    Path dir = Files.createDirectories(Path.of("target", "admin-it"));
    file = dir.resolve("chains.yml");
    original = """
        chains:
          alpha:
            chain_id: 5
            block_time: 500ms
            strategy: priority
            providers:
              - id: a1
                http_url: %s
                priority: 1
              - id: a2
                http_url: %s
                priority: 2
        """.formatted(a1.httpUrl(), a2.httpUrl());
    Files.writeString(file, original);
    server = TestNodes.start(ChainsConfigLoader.load(file, Map.of()), file,
        "riata.http.admin.token = \"" + TOKEN + "\"\nriata.http.admin.host = \"127.0.0.1\"");
  }

  @AfterAll
  static void stop() {
    server.close();
    a1.close();
    a2.close();
  }

  @AfterEach
  void restore() throws IOException {
    Files.writeString(file, original);
    admin("POST", "/admin/reload", TOKEN);
    admin("POST", "/admin/providers/a1/undrain", TOKEN);
    admin("POST", "/admin/providers/a1/breaker/reset", TOKEN);
    awaitRoutedTo("a1");
  }

  // ---- authentication ----------------------------------------------------------------------

  /**
   * Each endpoint refuses a missing or wrong token, and with the right one answers with its own
   * content: {@code field} (a JSON pointer) of the body holds {@code expected}.
   */
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
      "GET, /admin/chains, /chains/0/name, alpha",
      "GET, /admin/chains/alpha, /chainId, 5",
      "GET, /admin/providers, /providers/1/id, a2",
      "GET, /admin/providers/a1, /config/priority, 1",
      "GET, /admin/cluster/members, /members/0/self, true",
      "GET, /admin/cluster/shards, /entityTypes/ProviderPool/entities/0/entityId, alpha",
      "GET, /admin/cluster/singleton, /singletons/0/name, riata-event-aggregator",
      "POST, /admin/providers/a1/breaker/open, /to, OPEN",
      "POST, /admin/providers/a1/breaker/close, /to, CLOSED",
      "POST, /admin/providers/a1/breaker/reset, /cause, reset by operator",
      "POST, /admin/providers/a1/drain, /drained, true",
      "POST, /admin/providers/a1/undrain, /drained, false",
      "POST, /admin/reload, /members, 1",
      "GET, /admin/nothing-here, /status, 404"})
  void everyEndpointWantsTheTokenAndWorksWithIt(String method, String path, String field, String expected) {
    HttpResponse<String> missing = admin(method, path, null);
    assertEquals(401, missing.statusCode(), missing.body());
    assertEquals("Bearer realm=\"riata-admin\"", missing.headers().firstValue("WWW-Authenticate").orElseThrow());
    assertEquals("application/problem+json", missing.headers().firstValue("Content-Type").orElseThrow());
    assertEquals(401, json(missing.body()).get("status").asInt());

    HttpResponse<String> wrong = admin(method, path, TOKEN + "x");
    assertEquals(401, wrong.statusCode());
    assertTrue(wrong.headers().firstValue("WWW-Authenticate").orElseThrow().startsWith("Bearer "));

    HttpResponse<String> right = admin(method, path, TOKEN);
    int expectedStatus = path.equals("/admin/nothing-here") ? 404 : 200;
    assertEquals(expectedStatus, right.statusCode(), right.body());
    JsonNode value = json(right.body()).at(field);
    assertTrue(value.isValueNode(), field + " missing in " + right.body());
    assertEquals(expected, value.asText(), field + " in " + right.body());
  }

  // ---- state -------------------------------------------------------------------------------

  @Test
  void chainsAndProvidersShowConfigurationAndClusterState() {
    JsonNode chains = json(admin("GET", "/admin/chains", TOKEN).body()).get("chains");
    assertEquals(1, chains.size());
    JsonNode alpha = chains.get(0);
    assertEquals("alpha", alpha.get("name").asText());
    assertEquals(5, alpha.get("chainId").asInt());
    assertTrue(alpha.get("snapshot").get("version").asLong() > 0);
    assertEquals(2, alpha.get("providers").size());

    JsonNode a1State = json(admin("GET", "/admin/providers/a1", TOKEN).body());
    assertEquals("alpha", a1State.get("chain").asText());
    assertEquals(1, a1State.get("config").get("priority").asInt());
    assertEquals("CLOSED", a1State.get("cluster").get("breaker").asText());
    assertEquals(false, a1State.get("cluster").get("drained").asBoolean());
    assertEquals("CLOSED", a1State.get("thisNode").get("breaker").asText());
    assertTrue(a1State.get("config").get("httpOrigin").asText().startsWith("http://127.0.0.1:"));

    assertEquals(2, json(admin("GET", "/admin/providers", TOKEN).body()).get("providers").size());
    assertEquals(404, admin("GET", "/admin/providers/nope", TOKEN).statusCode());
    assertEquals(404, admin("GET", "/admin/chains/nope", TOKEN).statusCode());
    assertEquals("alpha", json(admin("GET", "/admin/chains/5", TOKEN).body()).get("name").asText(), "by chain id");
  }

  @Test
  void clusterMembersShardsAndSingletonOfASingleNode() throws InterruptedException {
    JsonNode members = json(admin("GET", "/admin/cluster/members", TOKEN).body());
    assertEquals(1, members.get("members").size());
    JsonNode me = members.get("members").get(0);
    assertEquals("Up", me.get("status").asText());
    assertTrue(me.get("self").asBoolean() && me.get("leader").asBoolean() && me.get("oldest").asBoolean());

    JsonNode shards = json(admin("GET", "/admin/cluster/shards", TOKEN).body());
    JsonNode pools = shards.get("entityTypes").get("ProviderPool");
    assertEquals("alpha", pools.get("entities").get(0).get("entityId").asText());
    assertEquals(members.get("self").asText(), pools.get("entities").get(0).get("node").asText());
    JsonNode breakers = shards.get("entityTypes").get("CircuitBreaker").get("entities");
    assertEquals(List.of("alpha|a1|http", "alpha|a2|http"),
        List.of(breakers.get(0).get("entityId").asText(), breakers.get(1).get("entityId").asText()));

    JsonNode singleton = json(admin("GET", "/admin/cluster/singleton", TOKEN).body());
    assertEquals(members.get("self").asText(), singleton.get("oldestMember").asText());
    long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (singleton.get("singletons").get(0).get("node").isNull() && System.nanoTime() < until) {
      Thread.sleep(100); // the first rollup names the aggregator's node
      singleton = json(admin("GET", "/admin/cluster/singleton", TOKEN).body());
    }
    assertEquals("riata-event-aggregator", singleton.get("singletons").get(0).get("name").asText());
    assertEquals(members.get("self").asText(), singleton.get("singletons").get(0).get("node").asText());
  }

  // ---- overrides ---------------------------------------------------------------------------

  @Test
  void drainMovesNewRequestsAwayAndUndrainBringsThemBack() {
    assertEquals("a1", routed());
    JsonNode drained = json(admin("POST", "/admin/providers/a1/drain", TOKEN).body());
    assertEquals(true, drained.get("drained").asBoolean());
    awaitRoutedTo("a2");
    long before = a1.requests("web3_clientVersion");
    for (int i = 0; i < 20; i++) {
      assertEquals("a2", routed());
    }
    assertEquals(before, a1.requests("web3_clientVersion"), "a drained provider gets no new request");
    assertTrue(json(admin("GET", "/admin/providers/a1", TOKEN).body()).get("cluster").get("drained").asBoolean());

    admin("POST", "/admin/providers/a1/undrain", TOKEN);
    awaitRoutedTo("a1");
  }

  @Test
  void everyProviderDrainedAnswersNoProviderAvailable() {
    admin("POST", "/admin/providers/a1/drain", TOKEN);
    admin("POST", "/admin/providers/a2/drain", TOKEN);
    try {
      awaitCondition(() -> json(TestNodes.post(server, "/rpc/alpha", call("web3_clientVersion", "[]", 1)).body())
          .path("error").path("data").path("excluded").asText().contains("2 drained"));
    } finally {
      admin("POST", "/admin/providers/a2/undrain", TOKEN);
    }
  }

  @Test
  void breakerOpenCloseAndReset() {
    JsonNode opened = json(admin("POST", "/admin/providers/a1/breaker/open?for=30s", TOKEN).body());
    assertEquals("OPEN", opened.get("to").asText());
    awaitRoutedTo("a2");
    assertEquals("OPEN", json(admin("GET", "/admin/providers/a1", TOKEN).body()).get("cluster").get("breaker").asText());

    JsonNode closed = json(admin("POST", "/admin/providers/a1/breaker/close", TOKEN).body());
    assertEquals("OPEN", closed.get("from").asText());
    assertEquals("CLOSED", closed.get("to").asText());
    awaitRoutedTo("a1");

    JsonNode reset = json(admin("POST", "/admin/providers/a1/breaker/reset", TOKEN).body());
    assertEquals("CLOSED", reset.get("to").asText());
    assertEquals(400, admin("POST", "/admin/providers/a1/breaker/open?for=soon", TOKEN).statusCode());
    assertEquals(404, admin("POST", "/admin/providers/a1/breaker/half", TOKEN).statusCode());
    assertEquals(404, admin("POST", "/admin/providers/nope/drain", TOKEN).statusCode());
  }

  // ---- reload ------------------------------------------------------------------------------

  @Test
  void aBadReloadIsRejectedWithItsErrorsAndTheRunningConfigurationStays() throws IOException {
    Files.writeString(file, original.replace("priority: 2", "priority: two").replace("http_url", "htp_url"));
    HttpResponse<String> r = admin("POST", "/admin/reload", TOKEN);
    assertEquals(400, r.statusCode(), r.body());
    assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElseThrow());
    JsonNode errors = json(r.body()).get("errors");
    assertTrue(errors.size() >= 3, r.body());
    JsonNode typo = null;
    JsonNode priority = null;
    for (JsonNode e : errors) {
      assertEquals(file.toString(), e.get("file").asText());
      if (e.get("field").asText().equals("chains.alpha.providers[0].htp_url")) {
        typo = e;
      } else if (e.get("field").asText().equals("chains.alpha.providers[1].priority")) {
        priority = e;
      }
    }
    assertNotNull(typo, r.body());
    assertEquals(8, typo.get("line").asInt());
    assertTrue(typo.get("message").asText().contains("unknown key"), typo.toString());
    assertNotNull(priority, r.body());
    assertEquals(12, priority.get("line").asInt());

    for (int i = 0; i < 10; i++) {
      assertEquals("a1", routed(), "routing is as before");
    }
    assertEquals(2, json(admin("GET", "/admin/providers/a2", TOKEN).body()).get("config").get("priority").asInt());
  }

  @Test
  void aGoodReloadAppliesPriorityChangesAtOnce() throws IOException {
    Files.writeString(file, original.replace("priority: 1", "priority: 3"));
    HttpResponse<String> r = admin("POST", "/admin/reload", TOKEN);
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("chains.alpha.providers.a1.priority: 1 -> 3", json(r.body()).get("applied").get(0).asText());
    assertEquals("a2", routed(), "applied on this node before the answer");
  }

  @Test
  void aReloadThatAddsAProviderNeedsARestartAndChangesNothing() throws IOException {
    Files.writeString(file, original + "      - id: a3\n        http_url: http://127.0.0.1:1\n");
    HttpResponse<String> r = admin("POST", "/admin/reload", TOKEN);
    assertEquals(409, r.statusCode(), r.body());
    assertEquals("chains.alpha.providers.a3: added", json(r.body()).get("restartRequired").get(0).asText());
    assertEquals(2, json(admin("GET", "/admin/providers", TOKEN).body()).get("providers").size());
  }

  // ---- helpers -----------------------------------------------------------------------------

  private static String routed() {
    HttpResponse<String> r = TestNodes.post(server, "/rpc/alpha", call("web3_clientVersion", "[]", 1));
    return r.headers().firstValue(RoutingHeaders.PROVIDER).orElse("none: " + r.body());
  }

  private static void awaitRoutedTo(String provider) {
    awaitCondition(() -> routed().equals(provider));
  }

  private static void awaitCondition(java.util.function.BooleanSupplier condition) {
    long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < until) {
      if (condition.getAsBoolean()) {
        return;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new AssertionError("condition not met within 10 s");
  }

  static HttpResponse<String> admin(String method, String path, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminPort() + path))
        .timeout(Duration.ofSeconds(10))
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    try {
      return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
