package io.riata.http.sim;

import static io.riata.http.TestNodes.within;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SimulatedProviderTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ALICE = "0x1111111111111111111111111111111111111111";
  private static final String BOB = "0x2222222222222222222222222222222222222222";
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final HttpResponse.BodyHandler<JsonNode> AS_JSON = info -> HttpResponse.BodySubscribers.mapping(
      HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8), SimulatedProviderTest::parseOrNull);

  private final List<SimulatedProvider> started = new ArrayList<>();
  private HttpClient client;
  private SimulatedProvider sim;

  @BeforeEach
  void startProvider() throws IOException {
    client = newClient();
    sim = start(SimSettings.healthy("alpha", 137));
  }

  @AfterEach
  void stopProviders() {
    started.forEach(SimulatedProvider::close);
  }

  // ---- methods ----

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "eth_chainId        | []                                  | \"0x89\"",
      "net_version        | []                                  | \"137\"",
      "web3_clientVersion | []                                  | \"riata-sim/alpha\"",
      "eth_gasPrice       | []                                  | \"0x3b9aca00\"",
      "eth_syncing        | []                                  | false",
      "eth_call           | [{\"to\":\"0x1111111111111111111111111111111111111111\",\"data\":\"0x\"},\"latest\"] | \"0x\"",
      "eth_estimateGas    | [{\"to\":\"0x1111111111111111111111111111111111111111\"}] | \"0x5208\"",
  })
  void answersFixedMethods(String method, String params, String expected) throws Exception {
    JsonNode reply = call(sim, method, params);
    assertEquals(JSON.readTree(expected), reply.get("result"), reply::toString);
    assertEquals("2.0", reply.get("jsonrpc").asText());
  }

  @Test
  void answersBlockNumberWithTheHead() throws Exception {
    sim.head(0x1234);
    assertEquals("0x1234", call(sim, "eth_blockNumber", "[]").get("result").asText());
  }

  @Test
  void balanceAndNonceDependOnlyOnTheAddress() throws Exception {
    SimulatedProvider other = start(SimSettings.healthy("beta", 137).withLatency(Duration.ZERO));
    String params = "[\"" + ALICE + "\",\"latest\"]";
    JsonNode balance = call(sim, "eth_getBalance", params).get("result");
    assertTrue(balance.asText().matches("0x[0-9a-f]+"), balance::toString);
    assertEquals(balance, call(other, "eth_getBalance", params).get("result"));
    assertEquals(balance, call(sim, "eth_getBalance", "[\"" + ALICE.toUpperCase().replace("0X", "0x") + "\"]").get("result"));
    assertNotEquals(balance, call(sim, "eth_getBalance", "[\"" + BOB + "\",\"latest\"]").get("result"));

    JsonNode nonce = call(sim, "eth_getTransactionCount", params).get("result");
    assertTrue(nonce.asText().matches("0x[0-9a-f]+"), nonce::toString);
    assertEquals(nonce, call(other, "eth_getTransactionCount", params).get("result"));
  }

  @Test
  void rejectsAMalformedAddress() throws Exception {
    JsonNode reply = call(sim, "eth_getBalance", "[\"0x1234\",\"latest\"]");
    assertEquals(-32602, reply.get("error").get("code").asInt());
  }

  @Test
  void synthesizesBlocksUpToTheHead() throws Exception {
    sim.fault(Fault.STALL_HEAD);
    sim.head(500);

    JsonNode latest = call(sim, "eth_getBlockByNumber", "[\"latest\",false]").get("result");
    assertEquals("0x1f4", latest.get("number").asText());
    assertTrue(latest.get("hash").asText().matches("0x[0-9a-f]{64}"));
    assertTrue(latest.get("transactions").isArray() && latest.get("transactions").isEmpty());
    assertTrue(latest.get("timestamp").asText().startsWith("0x"));

    JsonNode parent = call(sim, "eth_getBlockByNumber", "[\"0x1f3\",false]").get("result");
    assertEquals("0x1f3", parent.get("number").asText());
    assertEquals(parent.get("hash"), latest.get("parentHash"));

    JsonNode earliest = call(sim, "eth_getBlockByNumber", "[\"earliest\",false]").get("result");
    assertEquals("0x0", earliest.get("number").asText());

    assertTrue(call(sim, "eth_getBlockByNumber", "[\"0x1f5\",false]").get("result").isNull());
  }

  @Test
  void blocksAreIdenticalAcrossProvidersOfOneChain() throws Exception {
    SimulatedProvider other = start(SimSettings.healthy("beta", 137));
    assertEquals(call(sim, "eth_getBlockByNumber", "[\"0x10\",false]").get("result"),
        call(other, "eth_getBlockByNumber", "[\"0x10\",false]").get("result"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"eth_getBalance", "eth_getTransactionCount", "eth_getBlockByNumber", "eth_call", "eth_estimateGas"})
  void rejectsMissingParamsWithInvalidParams(String method) throws Exception {
    assertEquals(-32602, call(sim, method, "[]").get("error").get("code").asInt());
    JsonNode withoutParams = post(sim, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\"}").body();
    assertEquals(-32602, withoutParams.get("error").get("code").asInt());
  }

  @Test
  void answersAnUnknownMethodWithMethodNotFound() throws Exception {
    JsonNode error = call(sim, "eth_mine", "[]").get("error");
    assertEquals(-32601, error.get("code").asInt());
    assertEquals("the method eth_mine does not exist/is not available", error.get("message").asText());
  }

  @Test
  void answersMalformedJsonWithParseErrorAndNullId() throws Exception {
    HttpResponse<JsonNode> response = post(sim, "{\"jsonrpc\":\"2.0\",\"id\":1,");
    assertEquals(200, response.statusCode());
    assertEquals(-32700, response.body().get("error").get("code").asInt());
    assertTrue(response.body().get("id").isNull());
  }

  @ParameterizedTest
  @ValueSource(strings = {"7", "\"abc\"", "null", "12345678901234567890", "1.50", "-3"})
  void echoesIdsExactlyAsSent(String id) throws Exception {
    String body = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"eth_chainId\",\"params\":[]}";
    HttpResponse<String> response = client.send(request(sim).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertTrue(response.body().contains("\"id\":" + id + ","), response.body());
    assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
  }

  // ---- batches and notifications ----

  @Test
  void answersABatchInOrderAndSkipsNotifications() throws Exception {
    String batch = "["
        + "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]},"
        + "{\"jsonrpc\":\"2.0\",\"method\":\"net_version\",\"params\":[]},"
        + "{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"eth_nope\",\"params\":[]},"
        + "5]";
    JsonNode replies = post(sim, batch).body();
    assertEquals(3, replies.size(), replies::toString);
    assertEquals(1, replies.get(0).get("id").asInt());
    assertEquals("0x89", replies.get(0).get("result").asText());
    assertEquals("x", replies.get(1).get("id").asText());
    assertEquals(-32601, replies.get(1).get("error").get("code").asInt());
    assertTrue(replies.get(2).get("id").isNull());
    assertEquals(-32600, replies.get(2).get("error").get("code").asInt());
    assertEquals(4, sim.requests());
  }

  @Test
  void answersASingleNotificationWithNoContent() throws Exception {
    HttpResponse<String> response = client.send(request(sim)
            .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"method\":\"eth_chainId\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(204, response.statusCode());
    assertEquals("", response.body());
    assertEquals(1, sim.requests("eth_chainId"));
  }

  @Test
  void rejectsAnEmptyBatchWithInvalidRequest() throws Exception {
    JsonNode reply = post(sim, "[]").body();
    assertEquals(-32600, reply.get("error").get("code").asInt());
    assertTrue(reply.get("id").isNull());
  }

  // ---- cadences ----

  @Test
  void failsEveryNthCallWhenErrorEveryIsSet() throws Exception {
    SimulatedProvider flaky = start(SimSettings.healthy("flaky", 1).withErrorEvery(3));
    StringBuilder batch = new StringBuilder("[");
    for (int i = 1; i <= 6; i++) {
      batch.append(i > 1 ? "," : "").append("{\"jsonrpc\":\"2.0\",\"id\":").append(i)
          .append(",\"method\":\"eth_chainId\",\"params\":[]}");
    }
    JsonNode replies = post(flaky, batch.append(']').toString()).body();
    for (int i = 0; i < 6; i++) {
      JsonNode reply = replies.get(i);
      if ((i + 1) % 3 == 0) {
        assertEquals(-32000, reply.get("error").get("code").asInt(), reply::toString);
        assertEquals("simulated upstream failure", reply.get("error").get("message").asText());
      } else {
        assertEquals("0x1", reply.get("result").asText(), reply::toString);
      }
    }
    assertEquals("0x1", call(flaky, "eth_chainId", "[]").get("result").asText());
    assertEquals(7, flaky.requests());
    assertEquals(7, flaky.requests("eth_chainId"));
  }

  @Test
  void failsEverySecondCallOnceSwitchedWhileRunningAndStopsWhenSwitchedOff() throws Exception {
    assertEquals("0x89", call(sim, "eth_chainId", "[]").get("result").asText());
    sim.errorEvery(2);
    List<String> answers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      JsonNode reply = call(sim, "eth_chainId", "[]");
      answers.add(reply.has("error") ? Integer.toString(reply.get("error").get("code").asInt()) : "ok");
    }
    // Calls 2 and 4 of the cadence (counted since start) fail.
    assertEquals(List.of("-32000", "ok", "-32000", "ok"), answers);
    sim.errorEvery(0);
    assertEquals("0x89", call(sim, "eth_chainId", "[]").get("result").asText());
    assertEquals("0x89", call(sim, "eth_chainId", "[]").get("result").asText());
    assertThrows(IllegalArgumentException.class, () -> sim.errorEvery(-1));
  }

  @Test
  void rateLimitsEveryNthRequestWithRetryAfter() throws Exception {
    SimulatedProvider limited = start(SimSettings.healthy("limited", 1)
        .withRateLimitEvery(3).withRetryAfter(Duration.ofMillis(1500)));
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      HttpResponse<JsonNode> response = post(limited, rpc("eth_blockNumber", "[]", 9));
      statuses.add(response.statusCode());
      if (response.statusCode() == 429) {
        assertEquals("2", response.headers().firstValue("Retry-After").orElseThrow());
        assertEquals(-32005, response.body().get("error").get("code").asInt());
        assertEquals("rate limited", response.body().get("error").get("message").asText());
        assertEquals(9, response.body().get("id").asInt());
      }
    }
    assertEquals(List.of(200, 200, 429, 200, 200, 429), statuses);
    assertEquals(6, limited.requests());
  }

  // ---- faults ----

  @Test
  void answersHttp500WithATextBody() throws Exception {
    sim.fault(Fault.HTTP_500);
    HttpResponse<String> response = client.send(request(sim)
        .POST(HttpRequest.BodyPublishers.ofString(rpc("eth_chainId", "[]", 1))).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(500, response.statusCode());
    assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain"));
    assertFalse(response.body().isBlank());

    sim.fault(Fault.NONE);
    assertEquals("0x89", call(sim, "eth_chainId", "[]").get("result").asText());
  }

  @Test
  void answersOkWithAnHtmlPageWhileServingHtml() throws Exception {
    sim.fault(Fault.HTML);
    HttpResponse<String> response = client.send(request(sim)
        .POST(HttpRequest.BodyPublishers.ofString(rpc("eth_chainId", "[]", 1))).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
    assertTrue(response.body().startsWith("<!DOCTYPE html>"), response.body());

    sim.fault(Fault.NONE);
    assertEquals("0x89", call(sim, "eth_chainId", "[]").get("result").asText());
  }

  @Test
  void staysBehindAnotherProviderByTheBlocksItWasSetBack() throws Exception {
    SimulatedProvider lagging = start(SimSettings.healthy("lagging", 137));
    lagging.head(sim.head() - 50);
    long gap = sim.head() - lagging.head();
    assertTrue(gap >= 49 && gap <= 51, "gap " + gap);
  }

  @Test
  void rateLimitsEverythingWhileRateLimited() throws Exception {
    sim.fault(Fault.RATE_LIMITED);
    for (int i = 0; i < 3; i++) {
      HttpResponse<JsonNode> response = post(sim, rpc("eth_chainId", "[]", i));
      assertEquals(429, response.statusCode());
      assertEquals("1", response.headers().firstValue("Retry-After").orElseThrow());
    }
  }

  @Test
  void resetsTheConnectionWithoutAnswering() throws Exception {
    sim.fault(Fault.RESET);
    assertThrows(IOException.class, () -> post(sim, rpc("eth_chainId", "[]", 1)));
    assertEquals(1, sim.requests());

    sim.fault(Fault.NONE);
    assertEquals("0x89", call(sim, "eth_chainId", "[]").get("result").asText());
  }

  @Test
  void hangsUntilKilled() throws Exception {
    sim.fault(Fault.HANG);
    CompletableFuture<HttpResponse<String>> pending = sendAsync(sim, rpc("eth_chainId", "[]", 1));
    Thread.sleep(300);
    assertFalse(pending.isDone());
    assertEquals(1, sim.requests());

    sim.kill();
    ExecutionException dropped = assertThrows(ExecutionException.class, () -> pending.get(2, TimeUnit.SECONDS));
    assertTrue(dropped.getCause() instanceof IOException, dropped::toString);
  }

  @Test
  void dropsHungRequestsWhenTheFaultIsCleared() throws Exception {
    sim.fault(Fault.HANG);
    CompletableFuture<HttpResponse<String>> pending = sendAsync(sim, rpc("eth_chainId", "[]", 1));
    Thread.sleep(200);
    sim.fault(Fault.NONE);
    assertThrows(ExecutionException.class, () -> pending.get(2, TimeUnit.SECONDS));
    assertEquals("0x89", call(sim, "eth_chainId", "[]").get("result").asText());
  }

  @Test
  void delaysAnswersByTheLatency() throws Exception {
    sim.latency(Duration.ofMillis(250));
    long begin = System.nanoTime();
    call(sim, "eth_chainId", "[]");
    assertTrue(System.nanoTime() - begin >= Duration.ofMillis(250).toNanos());
  }

  @Test
  void delaysOneMethodWhileTheOthersKeepTheirLatency() throws Exception {
    sim.latency("eth_getBalance", Duration.ofSeconds(2));
    CompletableFuture<HttpResponse<String>> slow = sendAsync(sim, rpc("eth_getBalance", "[\"" + ALICE + "\",\"latest\"]", 1));
    CompletableFuture<HttpResponse<String>> quick = sendAsync(sim, rpc("eth_chainId", "[]", 2));
    assertEquals(200, quick.get(10, TimeUnit.SECONDS).statusCode());
    assertFalse(slow.isDone(), "the delayed method is still waiting when the other has been answered");
    assertEquals(200, slow.get(10, TimeUnit.SECONDS).statusCode());
  }

  @Test
  void countsTheConnectionsItsClientsHoldOpen() throws Exception {
    assertEquals(0, sim.openConnections());
    try (java.net.Socket first = new java.net.Socket("127.0.0.1", sim.port());
         java.net.Socket second = new java.net.Socket("127.0.0.1", sim.port())) {
      assertTrue(within(TIMEOUT, () -> sim.openConnections() == 2), "two open: " + sim.openConnections());
      first.close();
      assertTrue(within(TIMEOUT, () -> sim.openConnections() == 1), "one left: " + sim.openConnections());
    }
    assertTrue(within(TIMEOUT, () -> sim.openConnections() == 0), "none left: " + sim.openConnections());
  }

  @Test
  void stallsTheHeadAndCatchesUpAfterwards() throws Exception {
    SimulatedProvider fast = start(SimSettings.healthy("fast", 1).withBlockTime(Duration.ofMillis(20)).withStartBlock(100));
    fast.fault(Fault.STALL_HEAD);
    long stalled = fast.head();
    Thread.sleep(150);
    assertEquals(stalled, fast.head());
    assertEquals(EthResponder.quantity(stalled), call(fast, "eth_blockNumber", "[]").get("result").asText());

    fast.fault(Fault.NONE);
    assertTrue(fast.head() >= stalled + 5, () -> "head " + fast.head() + " after stalling at " + stalled);
  }

  @Test
  void setsAStalledHeadExactly() {
    sim.fault(Fault.STALL_HEAD);
    sim.head(42);
    assertEquals(42, sim.head());
  }

  // ---- head ----

  @Test
  void advancesTheHeadOneBlockPerBlockTime() throws Exception {
    SimulatedProvider fast = start(SimSettings.healthy("fast", 1).withBlockTime(Duration.ofMillis(50)).withStartBlock(100));
    long first = fast.head();
    assertTrue(first >= 100 && first <= 101, () -> "head " + first);
    Thread.sleep(300);
    long served = Long.decode(call(fast, "eth_blockNumber", "[]").get("result").asText());
    assertTrue(served >= first + 5, () -> "served " + served + " after " + first);
    assertTrue(fast.head() >= served);
  }

  @Test
  void setsTheHeadToAGivenValue() {
    sim.head(7_000_000);
    long head = sim.head();
    assertTrue(head >= 7_000_000 && head <= 7_000_001, () -> "head " + head);
  }

  // ---- lifecycle ----

  @Test
  void refusesConnectionsWhenKilledAndAnswersAgainOnTheSamePortWhenRevived() throws Exception {
    int port = sim.port();
    assertEquals(URI.create("http://127.0.0.1:" + port + "/"), sim.httpUrl());
    call(sim, "eth_chainId", "[]");

    sim.kill();
    assertFalse(sim.alive());
    HttpClient fresh = newClient();
    assertThrows(ConnectException.class, () -> fresh.send(request(sim)
        .POST(HttpRequest.BodyPublishers.ofString(rpc("eth_chainId", "[]", 1))).build(), HttpResponse.BodyHandlers.ofString()));

    sim.revive();
    assertTrue(sim.alive());
    assertEquals(port, sim.port());
    assertEquals("0x89", call(sim, newClient(), "eth_chainId", "[]").get("result").asText());
  }

  @Test
  void dropsRequestsInFlightWhenKilled() throws Exception {
    sim.latency(Duration.ofSeconds(5));
    CompletableFuture<HttpResponse<String>> pending = sendAsync(sim, rpc("eth_chainId", "[]", 1));
    Thread.sleep(200);
    long begin = System.nanoTime();
    sim.kill();
    assertThrows(ExecutionException.class, () -> pending.get(2, TimeUnit.SECONDS));
    assertTrue(System.nanoTime() - begin < Duration.ofSeconds(2).toNanos());
  }

  @Test
  void startsOnAGivenPort() throws Exception {
    int port = sim.port();
    sim.close();
    SimulatedProvider again = start(SimSettings.healthy("again", 5), port);
    assertEquals(port, again.port());
    assertEquals("0x5", call(again, newClient(), "eth_chainId", "[]").get("result").asText());
    assertThrows(IllegalStateException.class, sim::revive);
  }

  // ---- counters ----

  @Test
  void countsCallsPerMethodAndResets() throws Exception {
    post(sim, "[" + rpc("eth_chainId", "[]", 1) + "," + rpc("eth_chainId", "[]", 2) + "," + rpc("net_version", "[]", 3) + "]");
    call(sim, "eth_blockNumber", "[]");
    assertEquals(4, sim.requests());
    assertEquals(2, sim.requests("eth_chainId"));
    assertEquals(1, sim.requests("net_version"));
    assertEquals(1, sim.requests("eth_blockNumber"));
    assertEquals(0, sim.requests("eth_getBalance"));

    sim.resetCounts();
    assertEquals(0, sim.requests());
    assertEquals(0, sim.requests("eth_chainId"));
  }

  @Test
  void answersRequestsOnAKeptAliveConnectionWithoutDelay() throws Exception {
    call(sim, "eth_blockNumber", "[]");
    long[] micros = new long[200];
    for (int i = 0; i < micros.length; i++) {
      long begin = System.nanoTime();
      call(sim, "eth_blockNumber", "[]");
      micros[i] = (System.nanoTime() - begin) / 1000;
    }
    // With Nagle's algorithm on, every answer would wait ~40 ms for a delayed ACK. The median
    // shows that without being thrown by a busy machine's stalls, which a total would add up.
    java.util.Arrays.sort(micros);
    long median = micros[micros.length / 2];
    assertTrue(median < 30_000, () -> "the median of 200 sequential calls took " + median + " us");
  }

  @Test
  void servesABurstOfConcurrentRequests() throws Exception {
    int total = 1_000;
    List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>(total);
    for (int i = 0; i < total; i++) {
      replies.add(sendAsync(sim, rpc("eth_blockNumber", "[]", i)));
    }
    for (CompletableFuture<HttpResponse<String>> reply : replies) {
      assertEquals(200, reply.get(10, TimeUnit.SECONDS).statusCode());
    }
    assertEquals(total, sim.requests("eth_blockNumber"));
  }

  // ---- helpers ----

  private SimulatedProvider start(SimSettings settings) throws IOException {
    return start(settings, 0);
  }

  private SimulatedProvider start(SimSettings settings, int port) throws IOException {
    SimulatedProvider provider = SimulatedProvider.start(settings, port);
    started.add(provider);
    return provider;
  }

  private static HttpClient newClient() {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
  }

  private static HttpRequest.Builder request(SimulatedProvider provider) {
    return HttpRequest.newBuilder(provider.httpUrl()).timeout(TIMEOUT).header("Content-Type", "application/json");
  }

  private static String rpc(String method, String params, int id) {
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}";
  }

  private JsonNode call(SimulatedProvider provider, String method, String params) throws Exception {
    return call(provider, client, method, params);
  }

  private static JsonNode call(SimulatedProvider provider, HttpClient with, String method, String params) throws Exception {
    HttpResponse<String> response = with.send(request(provider)
        .POST(HttpRequest.BodyPublishers.ofString(rpc(method, params, 1))).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response::body);
    return JSON.readTree(response.body());
  }

  private HttpResponse<JsonNode> post(SimulatedProvider provider, String body) throws Exception {
    return client.send(request(provider).POST(HttpRequest.BodyPublishers.ofString(body)).build(), AS_JSON);
  }

  private CompletableFuture<HttpResponse<String>> sendAsync(SimulatedProvider provider, String body) {
    return client.sendAsync(request(provider).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode parseOrNull(String body) {
    try {
      return body.isEmpty() ? null : JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
