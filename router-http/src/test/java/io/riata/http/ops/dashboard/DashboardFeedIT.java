package io.riata.http.ops.dashboard;

import static io.riata.http.TestNodes.call;
import static io.riata.http.TestNodes.json;
import static io.riata.http.TestNodes.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.riata.http.RiataServer;
import io.riata.http.TestNodes;
import io.riata.http.demo.DemoProviders;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One node in front of the demo providers (a flaky, a slow and a throttled one per chain), with
 * WebSocket clients on /ws/dashboard (the operator port; no token configured).
 */
class DashboardFeedIT {

  private static DemoProviders demo;
  private static RiataServer server;

  @BeforeAll
  static void start() throws Exception {
    demo = DemoProviders.start();
    server = TestNodes.start(demo.chainsConfig(), "");
  }

  @AfterAll
  static void stop() {
    server.close();
    demo.close();
  }

  @Test
  void rollupsArriveEveryHalfSecondAndTheirCountsAddUpToTheRequestsSent() throws Exception {
    try (FeedClient client = new FeedClient(server.operatorPort(), true)) {
      JsonNode first = json(client.next(Duration.ofSeconds(5)));
      assertEquals(1, first.get("version").asInt());
      Map<String, Integer> sent = new HashMap<>();
      for (int i = 0; i < 120; i++) {
        String chain = i % 3 == 0 ? "polygon" : "ethereum";
        String method = i % 4 == 0 ? "eth_getBalance" : i % 10 == 1 ? "eth_chainId" : "eth_blockNumber";
        String params = method.equals("eth_getBalance") ? "[\"0x0000000000000000000000000000000000000001\",\"latest\"]" : "[]";
        assertEquals(200, post(server, "/rpc/" + chain, call(method, params, i)).statusCode());
        sent.merge(chain + "/" + method, 1, Integer::sum);
      }
      Map<String, Long> counted = new HashMap<>();
      List<Long> gapsMs = new ArrayList<>();
      Set<String> outcomes = new HashSet<>();
      long failovers = 0;
      long lastArrival = client.arrivals.poll();
      long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      int quietAfterDone = 0;
      JsonNode last = first;
      while (System.nanoTime() < until && quietAfterDone < 3) {
        String text = client.next(Duration.ofSeconds(3));
        assertNotNull(text, "no rollup within 3 s");
        long arrival = client.arrivals.poll();
        gapsMs.add((arrival - lastArrival) / 1_000_000);
        lastArrival = arrival;
        last = json(text);
        for (JsonNode chain : last.get("chains")) {
          failovers += chain.get("failovers").asLong();
          for (JsonNode p : chain.get("providers")) {
            for (JsonNode m : p.get("methods")) {
              counted.merge(chain.get("chain").asText() + "/" + m.get("method").asText(), m.get("requests").asLong(), Long::sum);
            }
          }
          chain.get("decisions").forEach(d -> outcomes.add(d.get("outcome").asText()));
        }
        if (total(counted) >= 120) {
          quietAfterDone++;
        }
      }
      Map<String, Long> expected = new HashMap<>();
      sent.forEach((k, v) -> expected.put(k, (long) v));
      assertEquals(expected, counted, "requests per chain x method, summed over rollups");
      List<Long> sorted = gapsMs.stream().sorted().toList();
      long median = sorted.get(sorted.size() / 2);
      System.out.printf("dashboard feed: %d rollups, gaps between them (ms) median %d, all %s; failovers %d; sampled outcomes %s%n",
          gapsMs.size(), median, gapsMs, failovers, outcomes);
      assertTrue(median >= 350 && median <= 650, "rollups every ~500 ms, median gap " + median);
      assertTrue(outcomes.contains("success") && outcomes.contains("local"), "sampled decisions: " + outcomes);

      JsonNode ethereum = chain(last, "ethereum");
      assertTrue(ethereum.get("head").asLong() >= 21_000_000, "head from the pool: " + ethereum);
      JsonNode provider = ethereum.get("providers").get(0);
      for (String field : List.of("id", "head", "lag", "breaker", "requests", "attempts", "outcomes", "successRate",
          "latencyMs", "methods")) {
        assertTrue(provider.has(field), "provider field " + field + " in " + provider);
      }
      assertFalse(last.get("aggregator").get("node").asText().isEmpty());
      assertEquals(1, last.get("members").size());
    }
  }

  @Test
  void aSubscriberThatNeverReadsHoldsOneRollupAndSlowsNobody() throws Exception {
    DashboardFeed feed = server.dashboard();
    try (FeedClient fast = new FeedClient(server.operatorPort(), true)) {
      Set<DashboardFeed.Subscriber> before = waitForSubscribers(feed, Set.of(), 1);
      try (FeedClient slow = new FeedClient(server.operatorPort(), false)) {
        Set<DashboardFeed.Subscriber> after = waitForSubscribers(feed, before, 1);
        DashboardFeed.Subscriber slowOne = after.iterator().next();
        String pad = "x".repeat(64 * 1024);
        int rounds = 1000;
        long started = System.nanoTime();
        for (int i = 1; i <= rounds; i++) {
          feed.publish("{\"version\":1,\"type\":\"test\",\"seq\":" + i + ",\"pad\":\"" + pad + "\"}", -1);
        }
        long publishNanos = System.nanoTime() - started;
        long lastSeenAt = -1;
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        int fastReceived = 0;
        while (System.nanoTime() < until) {
          String text = fast.next(Duration.ofSeconds(5));
          assertNotNull(text, "the fast subscriber stalled");
          fastReceived++;
          if (text.contains("\"seq\":" + rounds + ",\"pad\"")) {
            lastSeenAt = System.nanoTime();
            break;
          }
        }
        assertTrue(lastSeenAt > 0, "the fast subscriber never got the newest message");
        Thread.sleep(500);
        long taken = slowOne.taken();
        long conflated = slowOne.conflated();
        System.out.printf("slow subscriber: %d messages of 64 KiB published in %d ms; fast subscriber got the last"
                + " %d ms after publishing ended (%d received, the rest conflated); never-reading subscriber:"
                + " %d taken into its socket, %d conflated, 1 held at most%n",
            rounds, publishNanos / 1_000_000, (lastSeenAt - started - publishNanos) / 1_000_000, fastReceived,
            taken, conflated);
        assertTrue(taken < 400, "a subscriber that never reads keeps taking: " + taken);
        assertTrue(conflated >= rounds - taken - 1, "conflated " + conflated + " taken " + taken);
        assertTrue(publishNanos < Duration.ofSeconds(2).toNanos(), "publishing was slowed down");
      }
    }
    long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (feed.subscriberCount() > 0 && System.nanoTime() < until) {
      Thread.sleep(20);
    }
    assertEquals(0, feed.subscriberCount(), "closed connections leave no subscriber behind");
  }

  @Test
  void servesTheDashboardPageWithNoOutsideAssets() {
    var page = TestNodes.getOps(server, "/dashboard");
    assertEquals(200, page.statusCode());
    assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
    assertTrue(page.body().contains("/dashboard/dashboard.js"), page.body());
    assertFalse(page.body().contains("http://") || page.body().contains("https://"), "no outside asset");
    var script = TestNodes.getOps(server, "/dashboard/dashboard.js");
    assertEquals(200, script.statusCode());
    assertTrue(script.body().contains("/ws/dashboard"));
    assertEquals(200, TestNodes.getOps(server, "/dashboard/dashboard.css").statusCode());
    assertEquals(404, TestNodes.getOps(server, "/dashboard/nothing.js").statusCode());
  }

  private static Set<DashboardFeed.Subscriber> waitForSubscribers(DashboardFeed feed, Set<DashboardFeed.Subscriber> known,
                                                                  int fresh) throws InterruptedException {
    long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < until) {
      Set<DashboardFeed.Subscriber> now = new HashSet<>(feed.subscribers());
      now.removeAll(known);
      if (now.size() >= fresh) {
        return now;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("subscriber never registered");
  }

  private static long total(Map<String, Long> counts) {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  private static JsonNode chain(JsonNode rollup, String name) {
    for (JsonNode c : rollup.get("chains")) {
      if (c.get("chain").asText().equals(name)) {
        return c;
      }
    }
    throw new AssertionError("no chain " + name + " in " + rollup);
  }
}
