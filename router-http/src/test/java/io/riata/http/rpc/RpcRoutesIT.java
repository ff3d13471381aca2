package io.riata.http.rpc;

import io.riata.http.data.RoutingHeaders;
import static io.riata.http.TestNodes.call;
import static io.riata.http.TestNodes.json;
import static io.riata.http.TestNodes.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.riata.core.config.ProfileConfig;
import io.riata.http.RiataServer;
import io.riata.http.TestNodes;
import io.riata.http.sim.SimSettings;
import io.riata.http.sim.SimulatedProvider;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The JSON-RPC surface over real HTTP: routes, request shapes, limits and errors. */
class RpcRoutesIT {

  private static SimulatedProvider a1;
  private static SimulatedProvider a2;
  private static SimulatedProvider b1;
  private static RiataServer server;

  @BeforeAll
  static void start() throws Exception {
    a1 = SimulatedProvider.start(SimSettings.healthy("a1", 5));
    a2 = SimulatedProvider.start(SimSettings.healthy("a2", 5));
    b1 = SimulatedProvider.start(SimSettings.healthy("b1", 10));
    server = TestNodes.start(TestNodes.config(
        List.of(
            TestNodes.chain("alpha", 5, "priority", List.of(
                TestNodes.provider("a1", a1.httpUrl(), 1), TestNodes.provider("a2", a2.httpUrl(), 2))),
            TestNodes.chain("beta", 10, "round-robin", List.of(TestNodes.provider("b1", b1.httpUrl(), 1)))),
        List.of(new ProfileConfig("second", Set.of("alpha"), Set.of("a2")))),
        // One element of a batch upstream at a time: the others start as it ends, from their own bytes.
        "riata.http.limits.max-body-size = 4096\nriata.http.limits.max-batch-length = 5"
            + "\nriata.http.limits.max-batch-concurrency = 1");
  }

  @AfterAll
  static void stop() {
    server.close();
    a1.close();
    a2.close();
    b1.close();
  }

  @Test
  void forwardsAReadAndNamesTheProvider() {
    HttpResponse<String> r = post(server, "/rpc/alpha", call("eth_blockNumber", "[]", 7));
    assertEquals(200, r.statusCode());
    JsonNode body = json(r.body());
    assertEquals(7, body.get("id").asInt());
    assertTrue(body.get("result").asText().startsWith("0x"));
    assertEquals("a1", r.headers().firstValue(RoutingHeaders.PROVIDER).orElseThrow(), "priority picks a1");
    assertEquals("1", r.headers().firstValue(RoutingHeaders.ATTEMPTS).orElseThrow());
    assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
  }

  @Test
  void findsAChainByItsIdToo() {
    HttpResponse<String> r = post(server, "/rpc/10", call("web3_clientVersion", "[]", 1));
    assertEquals("riata-sim/b1", json(r.body()).get("result").asText());
  }

  @Test
  void answersChainIdItselfFromTheConfiguration() {
    long before = a1.requests("eth_chainId") + a2.requests("eth_chainId");
    JsonNode body = json(post(server, "/rpc/alpha", call("eth_chainId", "[]", 3)).body());
    assertEquals("0x5", body.get("result").asText());
    assertEquals(before, a1.requests("eth_chainId") + a2.requests("eth_chainId"), "no provider was asked");
  }

  @Test
  void pinsAProviderOrAProfile() {
    HttpResponse<String> pinned = post(server, "/rpc/provider/a2/alpha", call("eth_blockNumber", "[]", 1));
    assertEquals("a2", pinned.headers().firstValue(RoutingHeaders.PROVIDER).orElseThrow(), pinned.body());
    HttpResponse<String> profiled = post(server, "/rpc/profile/second/alpha", call("eth_blockNumber", "[]", 1));
    assertEquals("a2", profiled.headers().firstValue(RoutingHeaders.PROVIDER).orElseThrow());
    HttpResponse<String> withStrategy = post(server, "/rpc/profile/second/fastest/alpha", call("eth_blockNumber", "[]", 1));
    assertEquals("a2", withStrategy.headers().firstValue(RoutingHeaders.PROVIDER).orElseThrow());
    HttpResponse<String> notInProfile = post(server, "/rpc/profile/second/beta", call("eth_blockNumber", "[]", 1));
    assertEquals(404, notInProfile.statusCode());
  }

  @Test
  void roundRobinSpreadsAcrossProviders() {
    long a1Before = a1.requests("eth_gasPrice");
    long a2Before = a2.requests("eth_gasPrice");
    for (int i = 0; i < 10; i++) {
      assertEquals(200, post(server, "/rpc/round-robin/alpha", call("eth_gasPrice", "[]", i)).statusCode());
    }
    assertEquals(5, a1.requests("eth_gasPrice") - a1Before, "snapshot: " + server.node().chain("alpha").orElseThrow().snapshot());
    assertEquals(5, a2.requests("eth_gasPrice") - a2Before);
  }

  @Test
  void unknownChainStrategyProviderOrRouteIs404WithWhatExists() {
    JsonNode chain = json(post(server, "/rpc/gamma", call("eth_blockNumber", "[]", 1)).body());
    assertEquals(-32052, chain.get("error").get("code").asInt());
    assertEquals("alpha (5)", chain.get("error").get("data").get("chains").get(0).asText());
    HttpResponse<String> strategy = post(server, "/rpc/quickest/alpha", call("eth_blockNumber", "[]", 1));
    assertEquals(404, strategy.statusCode());
    assertTrue(json(strategy.body()).get("error").get("data").get("strategies").toString().contains("round-robin"));
    HttpResponse<String> provider = post(server, "/rpc/provider/zz/alpha", call("eth_blockNumber", "[]", 1));
    assertEquals(404, provider.statusCode());
    assertEquals(404, post(server, "/rpc/a/b/c/d/e/f", "{}").statusCode());
  }

  @Test
  void malformedJsonIsAParseErrorWithNullId() {
    HttpResponse<String> r = post(server, "/rpc/alpha", "{\"jsonrpc\":\"2.0\",\"id\":1,");
    assertEquals(200, r.statusCode());
    JsonNode body = json(r.body());
    assertEquals(-32700, body.get("error").get("code").asInt());
    assertTrue(body.get("id").isNull());
  }

  @Test
  void invalidRequestsAreRejectedWithTheirId() {
    JsonNode wrongVersion = json(post(server, "/rpc/alpha", "{\"jsonrpc\":\"1.0\",\"id\":9,\"method\":\"eth_blockNumber\"}").body());
    assertEquals(-32600, wrongVersion.get("error").get("code").asInt());
    assertEquals(9, wrongVersion.get("id").asInt());
    JsonNode empty = json(post(server, "/rpc/alpha", "[]").body());
    assertEquals(-32600, empty.get("error").get("code").asInt());
    assertTrue(empty.isObject(), "an empty batch gets one error object, not an array");
  }

  @Test
  void batchesAnswerEachRequestAndSkipNotifications() {
    String batch = "[" + call("eth_blockNumber", "[]", 1) + ",{\"jsonrpc\":\"2.0\",\"method\":\"eth_gasPrice\"},"
        + "5," + call("eth_nope", "[]", 3) + "," + call("eth_chainId", "[]", 4) + "]";
    JsonNode body = json(post(server, "/rpc/alpha", batch).body());
    assertEquals(4, body.size(), "one answer per request that has an id, plus one for the invalid element");
    assertEquals(1, body.get(0).get("id").asInt());
    assertTrue(body.get(0).has("result"));
    assertEquals(-32600, body.get(1).get("error").get("code").asInt());
    assertEquals(-32601, body.get(2).get("error").get("code").asInt(), "the provider's own answer to an unknown method");
    assertEquals("0x5", body.get(3).get("result").asText());
  }

  @Test
  void notificationsGetNoBody() {
    HttpResponse<String> single = post(server, "/rpc/alpha", "{\"jsonrpc\":\"2.0\",\"method\":\"eth_blockNumber\"}");
    assertEquals(204, single.statusCode());
    HttpResponse<String> batch = post(server, "/rpc/alpha", "[{\"jsonrpc\":\"2.0\",\"method\":\"eth_blockNumber\"}]");
    assertEquals(204, batch.statusCode());
    assertEquals("", batch.body());
  }

  @Test
  void limitsAreEnforcedBeforeAnyProviderIsAsked() {
    HttpResponse<String> big = post(server, "/rpc/alpha", call("eth_call", "[\"" + "a".repeat(5000) + "\"]", 1));
    assertEquals(413, big.statusCode(), big.body());
    assertEquals(-32600, json(big.body()).get("error").get("code").asInt());
    StringBuilder batch = new StringBuilder("[");
    for (int i = 0; i < 6; i++) {
      batch.append(i > 0 ? "," : "").append(call("eth_blockNumber", "[]", i));
    }
    JsonNode tooLong = json(post(server, "/rpc/alpha", batch.append("]").toString()).body());
    assertEquals(-32600, tooLong.get("error").get("code").asInt());
    assertTrue(tooLong.get("error").get("message").asText().contains("limit of 5"));
  }

  private static double value(String line) {
    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
  }

  @Test
  void metricsCountAttemptsByProviderMethodAndOutcome() throws Exception {
    for (int i = 0; i < 5; i++) {
      post(server, "/rpc/provider/a1/alpha", call("eth_blockNumber", "[]", i));
    }
    long until = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
    String text = "";
    while (System.nanoTime() < until) {
      HttpResponse<String> r = TestNodes.getOps(server, "/metrics");
      assertEquals(200, r.statusCode());
      text = r.body();
      if (text.lines().anyMatch(l -> l.startsWith("riata_attempts_total{") && l.contains("provider=\"a1\"")
          && l.contains("method=\"eth_blockNumber\"") && l.contains("outcome=\"success\"") && value(l) >= 5)) {
        break;
      }
      Thread.sleep(500);
    }
    String metrics = text;
    assertTrue(metrics.lines().anyMatch(l -> l.startsWith("riata_attempts_total{") && l.contains("provider=\"a1\"")
        && l.contains("method=\"eth_blockNumber\"") && l.contains("outcome=\"success\"") && value(l) >= 5),
        "no 5 successful eth_blockNumber attempts for a1 in:\n" + metrics);
    assertTrue(metrics.lines().anyMatch(l -> l.startsWith("riata_requests_total{") && l.contains("provider=\"a1\"")
        && value(l) >= 5), metrics);
    assertTrue(metrics.lines().anyMatch(l -> l.startsWith("riata_attempt_duration_seconds_count{")
        && l.contains("provider=\"a1\"") && value(l) >= 5), metrics);
    assertTrue(metrics.contains("jvm_memory_used_bytes{"), metrics);
    assertTrue(metrics.contains("riata_provider_breaker_state{"), metrics);
    assertTrue(metrics.contains("riata_provider_lag_blocks{"), metrics);
    assertTrue(metrics.contains("riata_dead_letters_total"), metrics);
  }

  @Test
  void healthAndReadiness() {
    HttpResponse<String> health = TestNodes.get(server, "/health");
    assertEquals(200, health.statusCode());
    HttpResponse<String> ready = TestNodes.get(server, "/ready");
    assertEquals(200, ready.statusCode());
  }
}
