package io.riata.http.data;

import static io.riata.http.TestNodes.awaitMetric;
import static io.riata.http.TestNodes.call;
import static io.riata.http.TestNodes.json;
import static io.riata.http.TestNodes.within;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.channel.EventLoop;
import io.riata.http.RiataServer;
import io.riata.http.TestNodes;
import io.riata.http.sim.SimSettings;
import io.riata.http.sim.SimulatedProvider;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Admission on the event loop's lag ({@code riata.http.admission.loop-lag}) on a real node with one
 * event loop: the test keeps that loop busy in 60 ms stretches, so that every lag probe runs late,
 * until the loop admits its least share; requests sent meanwhile are answered 503 with
 * {@code Retry-After} and -32053 before they reach a provider; once the loop is on time again it
 * admits all of them.
 */
class LoopLagSheddingIT {

  private static final Duration STALL = Duration.ofMillis(60);
  private static SimulatedProvider provider;
  private static RiataServer node;

  @BeforeAll
  static void start() throws Exception {
    provider = SimulatedProvider.start(SimSettings.healthy("lagged", 11));
    node = TestNodes.start(TestNodes.oneProvider("lag", 11, "lagged", provider.httpUrl()),
        "riata.http.event-loops = 1\nriata.http.admission.loop-lag.enabled = on"
            + "\nriata.http.admission.loop-lag.target = 20ms"
            + "\nriata.http.admission.loop-lag.interval = 50ms");
  }

  @AfterAll
  static void stop() {
    node.close();
    provider.close();
  }

  /** Keeps the node's one event loop busy, {@link #STALL} at a time, until stopped. */
  private static final class Staller implements Runnable, AutoCloseable {
    private final EventLoop loop = node.rpc().loops().get(0);
    private volatile boolean stalling = true;

    Staller() {
      loop.execute(this);
    }

    @Override
    public void run() {
      if (!stalling) {
        return;
      }
      try {
        Thread.sleep(STALL.toMillis()); // the point of the test: a loop that is behind
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      // Again in a millisecond, as a scheduled task: the lag probe, due meanwhile, runs first.
      loop.schedule(this, 1, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
      stalling = false;
    }
  }

  private static HttpResponse<String> read(int id) {
    return TestNodes.post(node, "/rpc/lag", call("eth_getBalance", String.format("[\"0x%040x\",\"latest\"]", id), id));
  }

  @Test
  void aLoopThatStaysBehindShedsNewRequestsAtOnceAndAdmitsThemAgainOnceOnTime() throws Exception {
    provider.resetCounts();
    long shedBefore = node.rpc().shedOnLag();
    List<HttpResponse<String>> answers = new ArrayList<>();
    try (Staller staller = new Staller()) {
      assertTrue(within(Duration.ofSeconds(20), () -> node.rpc().admittedShare() <= 0.05 + 1e-9),
          "the loop's share fell to its floor; it is " + node.rpc().admittedShare());
      for (int id = 1; id <= 40; id++) {
        answers.add(read(id));
      }
    }
    List<HttpResponse<String>> shed = answers.stream().filter(r -> r.statusCode() == 503).toList();
    List<HttpResponse<String>> served = answers.stream().filter(r -> r.statusCode() == 200).toList();
    assertEquals(answers.size(), shed.size() + served.size(), "each answered 200 or 503");
    assertTrue(shed.size() >= 30, "about 19 in 20 shed while the loop stays behind: " + shed.size() + " of 40");
    for (HttpResponse<String> r : shed) {
      assertEquals("1", r.headers().firstValue("Retry-After").orElse(null));
      JsonNode body = json(r.body());
      assertEquals("2.0", body.path("jsonrpc").asText());
      assertTrue(body.path("id").isNull(), "the request was not parsed, so the id is null: " + r.body());
      assertEquals(-32053, body.path("error").path("code").asInt(), r.body());
    }
    assertEquals(served.size(), provider.requests("eth_getBalance"), "no shed request reached the provider");
    assertEquals(shed.size(), node.rpc().shedOnLag() - shedBefore, "every shed request counted");
    awaitMetric(node, "riata_node_requests_shed_total", shed.size());

    assertTrue(within(Duration.ofSeconds(20), () -> node.rpc().admittedShare() >= 1.0),
        "on time again, the loop admits all; its share is " + node.rpc().admittedShare());
    for (int id = 100; id < 120; id++) {
      assertEquals(200, read(id).statusCode(), "admitted once the loop is on time");
    }
  }
}
