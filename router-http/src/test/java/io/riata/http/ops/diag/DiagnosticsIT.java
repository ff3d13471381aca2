package io.riata.http.ops.diag;

import static io.riata.http.TestNodes.call;
import static io.riata.http.TestNodes.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.riata.cluster.pool.ProviderPool;
import io.riata.core.metrics.ProviderCounters;
import io.riata.http.RiataServer;
import io.riata.http.TestNodes;
import io.riata.http.sim.SimSettings;
import io.riata.http.sim.SimulatedProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The admin API's diagnostics on one node over real HTTP, with a token: mailboxes under a flood,
 * the request path's timings, a JFR recording downloaded, and a load simulation.
 */
class DiagnosticsIT {

  private static final String TOKEN = "it-diag-token-0123456789";
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static SimulatedProvider a1;
  private static SimulatedProvider a2;
  private static RiataServer server;

  @BeforeAll
  static void start() throws IOException {
    a1 = SimulatedProvider.start(SimSettings.healthy("a1", 5).withLatency(Duration.ofMillis(2)));
    a2 = SimulatedProvider.start(SimSettings.healthy("a2", 5));
    server = TestNodes.start(
        TestNodes.config(List.of(TestNodes.chain("alpha", 5, "priority", List.of(
            TestNodes.provider("a1", a1.httpUrl(), 1), TestNodes.provider("a2", a2.httpUrl(), 2)))), List.of()),
        "riata.http.admin.token = \"" + TOKEN + "\"\nriata.cluster.mailbox-capacity = 50\n"
            + "pekko.log-dead-letters = off\nriata.http.admin.diagnostics.timing-sample-every = 1\n"
            // The load simulation checks that priority routing sends everything to a1: a read
            // hedged to a2 because a1 was slow for a moment on a busy machine would not.
            + "riata.http.hedge.enabled = off");
    // Until a1's head is known it ranks below a2, whose head may be known first.
    long until = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
    while (json(admin("GET", "/admin/providers/a1", TOKEN, null).body()).path("cluster").path("lag").asLong() < 0) {
      if (System.nanoTime() > until) {
        throw new IllegalStateException("a1 never reported a head");
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  @AfterAll
  static void stop() {
    server.close();
    a1.close();
    a2.close();
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
      "GET, /admin/diagnostics/mailboxes?window=100ms, 200", "GET, /admin/diagnostics/latency, 200",
      "POST, /admin/diagnostics/latency/reset, 200", "GET, /admin/diagnostics/jfr, 200",
      "GET, /admin/diagnostics/threads, 200",
      "GET, /admin/diagnostics/jfr/424242, 404", "POST, /admin/diagnostics/load, 400",
      "GET, /admin/diagnostics/nothing, 404"})
  void everyDiagnosticsEndpointWantsTheToken(String method, String path, int expected) {
    HttpResponse<String> missing = admin(method, path, null, null);
    assertEquals(401, missing.statusCode(), missing.body());
    assertEquals("Bearer realm=\"riata-admin\"", missing.headers().firstValue("WWW-Authenticate").orElseThrow());
    assertEquals(401, admin(method, path, TOKEN + "x", null).statusCode());
    HttpResponse<String> right = admin(method, path, TOKEN, null);
    assertEquals(expected, right.statusCode(), right.body());
    json(right.body());
  }

  @Test
  void theDataPlaneThreadsShowTheWorkOfTheRequestsTheyServed() {
    JsonNode before = json(admin("GET", "/admin/diagnostics/threads", TOKEN, null).body());
    assertEquals(Runtime.getRuntime().availableProcessors(), before.get("threads").size(),
        "one event loop per processor by default: " + before);
    for (int i = 0; i < 200; i++) {
      assertEquals(200, TestNodes.post(server, "/rpc/alpha", call("eth_blockNumber", "[]", i)).statusCode());
    }
    JsonNode after = json(admin("GET", "/admin/diagnostics/threads", TOKEN, null).body());
    long allocated = after.get("allocatedBytes").asLong() - before.get("allocatedBytes").asLong();
    System.out.println("data plane threads: " + after + "; " + allocated / 200 + " bytes allocated per request");
    assertTrue(allocated > 0, "200 requests allocate something on the event loops: " + before + " -> " + after);
    assertTrue(after.get("cpuMillis").asLong() >= before.get("cpuMillis").asLong());
  }

  @Test
  void aFloodedPoolShowsItsMailboxNearCapacityAndItsOverflows() throws Exception {
    CompletableFuture<HttpResponse<String>> window = adminAsync("GET", "/admin/diagnostics/mailboxes?window=3s");
    Thread.sleep(300);
    assertEquals(409, admin("GET", "/admin/diagnostics/mailboxes?window=1s", TOKEN, null).statusCode(),
        "one window at a time");
    var pool = ProviderPool.entityRef(server.system(), "alpha");
    for (int seq = 1; seq <= 20_000; seq++) {
      pool.tell(new ProviderPool.ReportBatch("node-flood", seq, List.of(
          new ProviderCounters.Sample("a2", seq, 0, 0, 0, 0, 0, 0, ""))));
    }
    HttpResponse<String> response = window.get();
    assertEquals(200, response.statusCode(), response.body());
    JsonNode report = json(response.body());
    System.out.println("mailboxes under a flood: " + report);
    JsonNode alpha = find(report.get("mailboxes"), "ProviderPool", "alpha");
    assertEquals(50, alpha.get("capacity").asInt());
    assertTrue(alpha.get("maxDepth").asInt() >= 45, "the flood should fill the mailbox: " + alpha);
    assertTrue(alpha.get("overflows").asLong() > 0, "the flood should overflow: " + alpha);
    assertTrue(alpha.get("samples").asInt() >= 20);
    // A mailbox nobody flooded, watched over the same window: its count is its own, so exactly 0.
    JsonNode breaker = find(report.get("mailboxes"), "CircuitBreaker", "alpha|a1|http");
    assertTrue(breaker.get("samples").asInt() >= 20, "the breaker's mailbox was watched too: " + breaker);
    assertEquals(0, breaker.get("overflows").asLong(), "only the flooded mailbox overflows: " + breaker);
    JsonNode aggregator = find(report.get("mailboxes"), "EventAggregator", null);
    assertEquals(1000, aggregator.get("capacity").asInt());

    assertEquals(400, admin("GET", "/admin/diagnostics/mailboxes?window=2m", TOKEN, null).statusCode());
    assertEquals(400, admin("GET", "/admin/diagnostics/mailboxes?window=soon", TOKEN, null).statusCode());
  }

  @Test
  void latencyShowsSelectionAndAdmissionBesideTheProviders() {
    admin("POST", "/admin/diagnostics/latency/reset", TOKEN, null);
    for (int i = 0; i < 50; i++) {
      assertEquals(200, TestNodes.post(server, "/rpc/alpha", call("eth_blockNumber", "[]", i)).statusCode());
    }
    JsonNode latency = json(admin("GET", "/admin/diagnostics/latency", TOKEN, null).body());
    assertEquals(1, latency.get("sampleEvery").asInt());
    System.out.println("latency: " + latency);
    JsonNode selection = latency.get("selection");
    JsonNode admission = latency.get("admission");
    JsonNode attempt = latency.get("upstreamAttempt");
    assertTrue(selection.get("count").asLong() >= 50);
    assertTrue(admission.get("count").asLong() >= 50);
    assertTrue(attempt.get("count").asLong() >= 50);
    assertTrue(selection.get("p50Micros").asDouble() >= 0);
    assertTrue(selection.get("p99Micros").asDouble() <= selection.get("maxMicros").asDouble() * 1.125 + 0.01);
    assertTrue(attempt.get("p50Micros").asDouble() > 1000, "a1 answers after 2 ms: " + attempt);
    assertTrue(attempt.get("p50Micros").asDouble() > selection.get("p50Micros").asDouble());
  }

  @Test
  void aJfrRecordingIsStartedStoppedAndDownloaded() throws Exception {
    assertEquals(409, admin("POST", "/admin/diagnostics/jfr/stop", TOKEN, null).statusCode(), "nothing running yet");
    assertEquals(400, admin("POST", "/admin/diagnostics/jfr/start?duration=11m", TOKEN, null).statusCode());
    assertEquals(400, admin("POST", "/admin/diagnostics/jfr/start?settings=nope", TOKEN, null).statusCode());
    HttpResponse<String> started = admin("POST", "/admin/diagnostics/jfr/start?duration=30s&settings=profile", TOKEN, null);
    assertEquals(200, started.statusCode(), started.body());
    assertEquals("profile", json(started.body()).get("settings").asText());
    assertEquals(409, admin("POST", "/admin/diagnostics/jfr/start", TOKEN, null).statusCode(), "one at a time");
    for (int i = 0; i < 20; i++) {
      TestNodes.post(server, "/rpc/alpha", call("eth_blockNumber", "[]", i));
    }
    HttpResponse<String> stopped = admin("POST", "/admin/diagnostics/jfr/stop", TOKEN, null);
    assertEquals(200, stopped.statusCode(), stopped.body());
    long id = json(stopped.body()).get("id").asLong();
    assertTrue(json(stopped.body()).get("bytes").asLong() > 0);

    HttpResponse<byte[]> file = CLIENT.send(request("GET", "/admin/diagnostics/jfr/" + id, TOKEN, null).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, file.statusCode());
    assertEquals("application/octet-stream", file.headers().firstValue("Content-Type").orElseThrow());
    assertArrayEquals(new byte[] {'F', 'L', 'R', 0}, Arrays.copyOf(file.body(), 4), "JFR files start with FLR\\0");
    System.out.printf("JFR recording %d: %d bytes%n", id, file.body().length);

    JsonNode list = json(admin("GET", "/admin/diagnostics/jfr", TOKEN, null).body());
    assertEquals(id, list.get("recordings").get(0).get("id").asLong());
    assertEquals(401, CLIENT.send(request("GET", "/admin/diagnostics/jfr/" + id, null, null).build(),
        HttpResponse.BodyHandlers.ofByteArray()).statusCode());
  }

  @Test
  void aLoadSimulationReportsThroughputPercentilesAndWhoAnswered() throws Exception {
    HttpResponse<String> ran = admin("POST", "/admin/diagnostics/load", TOKEN,
        "{\"chain\":\"alpha\",\"concurrency\":4,\"requestsPerWorker\":50,\"method\":\"eth_blockNumber\",\"params\":[]}");
    assertEquals(200, ran.statusCode(), ran.body());
    JsonNode report = json(ran.body());
    System.out.println("load: " + report);
    assertEquals(200, report.get("requests").asLong());
    assertEquals(0, report.get("failures").asLong());
    assertEquals(200, report.get("answeredBy").get("a1").asLong(), "priority: a1 answers everything");
    assertTrue(report.get("throughputPerSecond").asDouble() > 0);
    assertTrue(report.get("latencyMicros").get("p50").asDouble() > 1000, "a1 answers after 2 ms");
    assertTrue(report.get("latencyMicros").get("p99").asDouble() >= report.get("latencyMicros").get("p50").asDouble());

    assertEquals(400, admin("POST", "/admin/diagnostics/load", TOKEN,
        "{\"chain\":\"alpha\",\"concurrency\":300,\"requestsPerWorker\":1}").statusCode());
    assertEquals(400, admin("POST", "/admin/diagnostics/load", TOKEN,
        "{\"chain\":\"alpha\",\"concurrency\":256,\"requestsPerWorker\":1000}").statusCode());
    assertEquals(400, admin("POST", "/admin/diagnostics/load", TOKEN, "not json").statusCode());
    assertEquals(404, admin("POST", "/admin/diagnostics/load", TOKEN, "{\"chain\":\"nope\"}").statusCode());

    CompletableFuture<HttpResponse<String>> longRun = CLIENT.sendAsync(request("POST", "/admin/diagnostics/load", TOKEN,
        "{\"chain\":\"alpha\",\"concurrency\":1,\"requestsPerWorker\":1000}").timeout(Duration.ofSeconds(60)).build(),
        HttpResponse.BodyHandlers.ofString());
    Thread.sleep(300);
    assertEquals(409, admin("POST", "/admin/diagnostics/load", TOKEN, "{\"chain\":\"alpha\"}").statusCode(),
        "one load run at a time");
    assertEquals(1000, json(longRun.get().body()).get("requests").asLong());
  }

  private static JsonNode find(JsonNode mailboxes, String kind, String entity) {
    for (JsonNode m : mailboxes) {
      if (m.get("kind").asText().equals(kind) && (entity == null || entity.equals(m.path("entity").asText()))) {
        return m;
      }
    }
    throw new AssertionError("no " + kind + " " + entity + " in " + mailboxes);
  }

  private static HttpRequest.Builder request(String method, String path, String token, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminPort() + path))
        .timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  private static CompletableFuture<HttpResponse<String>> adminAsync(String method, String path) {
    return CLIENT.sendAsync(request(method, path, TOKEN, null).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> admin(String method, String path, String token, String body) {
    try {
      return CLIENT.send(request(method, path, token, body).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
