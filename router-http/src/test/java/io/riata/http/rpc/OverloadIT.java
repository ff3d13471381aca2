package io.riata.http.rpc;

import static io.riata.http.TestNodes.call;
import static io.riata.http.TestNodes.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import io.riata.core.config.ChainConfig;
import io.riata.core.config.ProviderConfig;
import io.riata.http.RiataServer;
import io.riata.http.TestNodes;
import io.riata.http.sim.SimSettings;
import io.riata.http.sim.SimulatedProvider;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Shedding on a real node: past its limit of requests in flight the node answers 503 at once
 * without reaching a provider, and when every provider is at its concurrency limit the client is
 * told so at once instead of walking the candidates. Providers answer after 3 s, so the requests
 * that are let in are still in flight while the others arrive.
 */
class OverloadIT {

  private static final Duration SLOW = Duration.ofSeconds(3);
  private static final int NODE_LIMIT = 4;
  private static final int WS_LIMIT = 2;
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static SimulatedProvider roomy;
  private static SimulatedProvider narrow;
  /** A provider whose answers (but for eth_blockNumber) are 2 MiB, over the node's 1 MiB limit. */
  private static HttpServer bulky;
  /** A provider whose reads take 5 s while it answers eth_blockNumber at once, its head a block higher each time. */
  private static HttpServer busy;
  private static final AtomicLong busyHead = new AtomicLong(0x100);
  private static final AtomicInteger busyReads = new AtomicInteger();
  private static RiataServer server;

  @BeforeAll
  static void start() throws Exception {
    roomy = SimulatedProvider.start(SimSettings.healthy("roomy", 1).withLatency(SLOW));
    narrow = SimulatedProvider.start(SimSettings.healthy("narrow", 2).withLatency(SLOW));
    ChainConfig shed = TestNodes.chain("shed", 1, "priority", List.of(TestNodes.provider("roomy", roomy.httpUrl(), 1)));
    ChainConfig full = TestNodes.chain("full", 2, "priority", List.of(
        new ProviderConfig("narrow", narrow.httpUrl(), null, 1, 1, false, Set.of(), Set.of(), null, Map.of(), 1)));
    bulky = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    String big = "\"" + "ab".repeat(1 << 20) + "\"";
    bulky.createContext("/", exchange -> {
      String request = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String result = request.contains("eth_blockNumber") ? "\"0x10\"" : big;
      answer(exchange, json(request).get("id"), "\"result\":" + result);
    });
    bulky.start();
    ChainConfig large = TestNodes.chain("large", 3, "priority", List.of(
        TestNodes.provider("bulky", URI.create("http://127.0.0.1:" + bulky.getAddress().getPort() + "/"), 1),
        TestNodes.provider("bulky2", URI.create("http://127.0.0.1:" + bulky.getAddress().getPort() + "/again"), 2)));
    busy = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    busy.setExecutor(Executors.newCachedThreadPool());
    busy.createContext("/", exchange -> {
      JsonNode request = json(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      String method = request.path("method").asText();
      String member;
      if (method.equals("eth_blockNumber")) {
        member = "\"result\":\"0x" + Long.toHexString(busyHead.incrementAndGet()) + "\"";
      } else if (method.equals("eth_getBalance")) {
        busyReads.incrementAndGet();
        try {
          Thread.sleep(5000); // within the 6 s deadline
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        member = "\"result\":\"0x0\"";
      } else {
        member = "\"error\":{\"code\":-32601,\"message\":\"the method does not exist\"}";
      }
      answer(exchange, request.get("id"), member);
    });
    busy.start();
    ChainConfig probed = TestNodes.chain("probed", 4, "priority", List.of(
        new ProviderConfig("busy", URI.create("http://127.0.0.1:" + busy.getAddress().getPort() + "/"), null, 1, 1,
            false, Set.of(), Set.of(), null, Map.of(), 1)));
    server = TestNodes.start(TestNodes.config(List.of(shed, full, large, probed), List.of()),
        "riata.http.admission.max-in-flight = " + NODE_LIMIT + "\nriata.http.deadlines.default = 6s"
            // The providers answer everything after 3 s, head probes included.
            + "\nriata.http.upstream.probe-timeout = 5s\nriata.http.upstream.max-response-size = 1MiB"
            + "\nriata.http.websocket.max-connections = " + WS_LIMIT);
  }

  /** A JSON-RPC answer with {@code member} ("result": ... or "error": ...), 200 and a length. */
  private static void answer(HttpExchange exchange, JsonNode id, String member) throws IOException {
    byte[] body = ("{\"jsonrpc\":\"2.0\",\"id\":" + id + "," + member + "}").getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  @AfterAll
  static void stop() {
    server.close();
    roomy.close();
    narrow.close();
    bulky.stop(0);
    busy.stop(0);
  }

  /** One answer and when it came, in ms after all were sent. */
  private record Answer(int status, String retryAfter, JsonNode body, long ms, String attempts) {}

  private static List<Answer> burst(String chain, int requests) {
    return sendAll(chain, requests).stream().map(CompletableFuture::join).toList();
  }

  private static List<CompletableFuture<Answer>> sendAll(String chain, int requests) {
    List<CompletableFuture<Answer>> pending = new ArrayList<>();
    long sent = System.nanoTime();
    for (int i = 1; i <= requests; i++) {
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/rpc/" + chain))
          .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20))
          .POST(HttpRequest.BodyPublishers.ofString(
              call("eth_getBalance", String.format("[\"0x%040x\",\"latest\"]", i), i))).build();
      pending.add(HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(r -> new Answer(
          r.statusCode(), r.headers().firstValue("Retry-After").orElse(null), json(r.body()),
          (System.nanoTime() - sent) / 1_000_000, r.headers().firstValue("X-Riata-Attempts").orElse(null))));
    }
    return pending;
  }

  @Test
  void pastItsLimitTheNodeAnswers503AtOnceAndNoProviderSeesTheRequest() {
    roomy.resetCounts();
    List<Answer> answers = burst("shed", 2 * NODE_LIMIT);
    List<Answer> refused = answers.stream().filter(a -> a.status() == 503).toList();
    List<Answer> served = answers.stream().filter(a -> a.status() == 200).toList();
    System.out.printf("node limit %d: %d served (last after %d ms), %d refused (last after %d ms)%n", NODE_LIMIT,
        served.size(), served.stream().mapToLong(Answer::ms).max().orElse(-1), refused.size(),
        refused.stream().mapToLong(Answer::ms).max().orElse(-1));
    assertEquals(NODE_LIMIT, served.size(), "as many served as the node admits: " + answers);
    assertEquals(NODE_LIMIT, refused.size());
    for (Answer a : refused) {
      assertEquals("1", a.retryAfter());
      assertEquals(-32053, a.body().path("error").path("code").asInt(), a.body().toString());
      assertTrue(a.body().path("id").isInt(), "the refusal answers the request's id: " + a.body());
      assertTrue(a.ms() < served.stream().mapToLong(Answer::ms).min().orElseThrow(),
          "refused at once, before any admitted request was answered");
    }
    assertEquals(NODE_LIMIT, roomy.requests("eth_getBalance"), "the refused requests never reached the provider");
  }

  @Test
  void aReplyOverTheLimitIsAnErrorNamingTheLimitAndNoOtherProviderIsAsked() {
    for (int i = 1; i <= 5; i++) {
      HttpResponse<String> r = TestNodes.post(server, "/rpc/large",
          call("eth_getLogs", "[{\"fromBlock\":\"0x1\",\"toBlock\":\"0x10\"}]", i));
      assertEquals(200, r.statusCode());
      JsonNode error = json(r.body()).path("error");
      assertEquals(-32055, error.path("code").asInt(), r.body());
      assertTrue(error.path("message").asText().contains("limit of 1 MiB"), r.body());
      assertEquals(1 << 20, error.path("data").path("limitBytes").asLong());
      assertEquals("bulky=reply too large", r.headers().firstValue("X-Riata-Attempt-Log").orElse(""),
          "bulky2's reply would be as large");
    }
    HttpResponse<String> small = TestNodes.post(server, "/rpc/large", call("eth_blockNumber", "[]", 9));
    assertEquals("0x10", json(small.body()).path("result").asText(), "the provider still serves small replies");
  }

  /** A WebSocket client that remembers how the server closed it. */
  private static final class Ws implements WebSocket.Listener {
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    final WebSocket socket;

    Ws() {
      socket = HTTP.newWebSocketBuilder()
          .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/ws/rpc/shed"), this).join();
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    boolean openAfter(Duration wait) {
      try {
        closed.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        return false;
      } catch (TimeoutException e) {
        return true;
      } catch (Exception e) {
        return false;
      }
    }
  }

  @Test
  void pastItsWebSocketLimitTheNodeClosesTheNextConnectionWith1013() throws Exception {
    Ws first = new Ws();
    Ws second = new Ws();
    Ws third = new Ws();
    assertEquals(1013, third.closed.get(10, TimeUnit.SECONDS), "the third connection is over the limit of 2");
    assertTrue(first.openAfter(Duration.ofMillis(300)) && second.openAfter(Duration.ofMillis(10)),
        "the two within the limit stay open");
    first.socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
    first.closed.get(10, TimeUnit.SECONDS);
    Ws again = null;
    long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < until) { // the node counts the closed one out once its channel is gone
      again = new Ws();
      if (again.openAfter(Duration.ofMillis(300))) {
        break;
      }
    }
    assertTrue(again != null && !again.closed.isDone(), "a place freed by a closed connection is taken again");
    second.socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
    again.socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
  }

  @Test
  void whenEveryProviderIsFullTheClientIsToldAtOnce() {
    narrow.resetCounts();
    List<Answer> answers = burst("full", 3);
    List<Answer> refused = answers.stream().filter(a -> a.status() == 503).toList();
    List<Answer> served = answers.stream().filter(a -> a.status() == 200).toList();
    System.out.printf("provider limit 1: %d served after %d ms, %d refused, the last after %d ms%n", served.size(),
        served.stream().mapToLong(Answer::ms).max().orElse(-1), refused.size(),
        refused.stream().mapToLong(Answer::ms).max().orElse(-1));
    assertEquals(1, served.size(), answers.toString());
    assertEquals(2, refused.size());
    for (Answer a : refused) {
      assertEquals("1", a.retryAfter());
      assertEquals(-32054, a.body().path("error").path("code").asInt(), a.body().toString());
      assertEquals("0", a.attempts(), "nothing was sent: the provider passed over is not an attempt");
      assertTrue(a.ms() < served.get(0).ms(), "told at once, not after the provider's 3 s");
    }
    assertEquals(1, narrow.requests("eth_getBalance"));
  }

  @Test
  void aFullProviderKeepsBeingProbedAndItsBreakerStaysClosed() throws Exception {
    CompletableFuture<Answer> holding = sendAll("probed", 1).get(0);
    long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (busyReads.get() < 1 && System.nanoTime() < until) {
      Thread.sleep(20);
    }
    assertEquals(1, busyReads.get(), "the first read holds busy's only slot");
    long headBefore = providerView("busy").path("cluster").path("head").asLong();
    long probesBefore = busyHead.get();
    for (Answer a : burst("probed", 3)) {
      assertEquals(-32054, a.body().path("error").path("code").asInt(), "busy is full: " + a);
    }
    JsonNode view = providerView("busy");
    until = System.nanoTime() + Duration.ofSeconds(3).toNanos(); // six probe intervals
    while ((busyHead.get() - probesBefore < 2 || view.path("cluster").path("head").asLong() <= headBefore)
        && System.nanoTime() < until) {
      Thread.sleep(100);
      view = providerView("busy");
    }
    assertTrue(!holding.isDone(), "the read holding the slot is still out: " + (holding.isDone() ? holding.join() : ""));
    System.out.printf("while full: %d probes answered, head %d -> %d, breaker %s here and %s in the pool%n",
        busyHead.get() - probesBefore, headBefore, view.path("cluster").path("head").asLong(),
        view.path("thisNode").path("breaker").asText(), view.path("cluster").path("breaker").asText());
    assertTrue(busyHead.get() - probesBefore >= 2, "head probes did not wait for a slot");
    assertTrue(view.path("cluster").path("head").asLong() > headBefore, "the head it probed is known: " + view);
    assertEquals("CLOSED", view.path("thisNode").path("breaker").asText(), "being full is no failure: " + view);
    assertEquals("CLOSED", view.path("cluster").path("breaker").asText(), view.toString());
    assertEquals(1, busyReads.get(), "the refused reads never reached it");
    assertEquals(200, holding.get(10, TimeUnit.SECONDS).status());
  }

  private static JsonNode providerView(String id) {
    HttpResponse<String> r = TestNodes.getOps(server, "/admin/providers/" + id);
    assertEquals(200, r.statusCode(), r.body());
    return json(r.body());
  }
}
