package io.riata.http.ws;

import static io.riata.http.TestNodes.call;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.riata.core.config.ChainConfig;
import io.riata.core.config.ProviderConfig;
import io.riata.core.jsonrpc.LogFilter;
import io.riata.http.RiataServer;
import io.riata.http.TestNodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 200 clients subscribed to newHeads and 40 to logs (two filters) through Riata, three providers
 * with a block every 100 ms. The serving provider is killed, later the next one stalls (socket
 * open, nothing sent); every heads client must still see every block number exactly once, in
 * order, and every logs client every matching log of every block once, in order. The longest
 * silence a heads client saw around each failover is reported.
 */
class SubscriptionFailoverIT {

  private static final Duration BLOCK = Duration.ofMillis(100);
  private static final int CLIENTS = 200;
  private static final int LOG_CLIENTS = 40;
  private static final List<HeadsSim> SIMS = new ArrayList<>();
  private static RiataServer server;

  @BeforeAll
  static void start() throws Exception {
    long epoch = System.nanoTime();
    List<ProviderConfig> providers = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      HeadsSim sim = new HeadsSim("h" + i, BLOCK, epoch);
      SIMS.add(sim);
      providers.add(new ProviderConfig("h" + i, sim.httpUrl(), sim.wsUrl(), i, 1, false, Set.of(), Set.of(), null,
          Map.of(), 64));
    }
    server = TestNodes.start(TestNodes.config(List.of(new ChainConfig("fast", 77, BLOCK, 50, "priority", 100_000,
        providers)), List.of()), "");
  }

  @AfterAll
  static void stop() {
    server.close();
    SIMS.forEach(HeadsSim::close);
  }

  /** What one client received: block numbers and when. */
  private record Received(List<Long> numbers, List<Long> atNanos) {}

  @Test
  void everyClientSeesEveryBlockOnceInOrderAcrossAKillAndAStall() throws Exception {
    List<WsTestClient> clients = new ArrayList<>();
    List<String> subscriptions = new ArrayList<>();
    try {
      for (int i = 0; i < CLIENTS; i++) {
        WsTestClient c = new WsTestClient(server, "/ws/rpc/fast");
        c.send(call("eth_subscribe", "[\"newHeads\"]", i));
        clients.add(c);
      }
      List<LogFilter> logFilters = new ArrayList<>();
      for (int i = 0; i < LOG_CLIENTS; i++) {
        String filter = i % 2 == 0
            ? "{\"address\":\"" + HeadsSim.ADDRESSES[0] + "\"}"
            : "{\"topics\":[\"" + HeadsSim.TOPICS[1] + "\"]}";
        logFilters.add(LogFilter.parse(TestNodes.json(filter)));
        WsTestClient c = new WsTestClient(server, "/ws/rpc/fast");
        c.send(call("eth_subscribe", "[\"logs\"," + filter + "]", 1000 + i));
        clients.add(c);
      }
      for (WsTestClient c : clients) {
        JsonNode answer = c.next();
        while (answer.has("method")) {
          answer = c.next();
        }
        subscriptions.add(answer.get("result").asText());
      }
      Thread.sleep(1500);
      long killedAt = System.nanoTime();
      SIMS.get(0).kill();
      Thread.sleep(2500);
      long stalledAt = System.nanoTime();
      SIMS.get(1).stall(true);
      Thread.sleep(6000);
      long endedAt = System.nanoTime();

      long worstKillGap = 0;
      long worstStallGap = 0;
      long fewest = Long.MAX_VALUE;
      for (int i = 0; i < CLIENTS; i++) {
        Received r = drain(clients.get(i), subscriptions.get(i));
        for (int k = 1; k < r.numbers().size(); k++) {
          assertEquals(r.numbers().get(k - 1) + 1, r.numbers().get(k),
              "client " + i + " got " + r.numbers().get(k) + " after " + r.numbers().get(k - 1));
          long gap = r.atNanos().get(k) - r.atNanos().get(k - 1);
          long at = r.atNanos().get(k);
          if (at > killedAt && at < stalledAt) {
            worstKillGap = Math.max(worstKillGap, gap);
          } else if (at > stalledAt && at < endedAt) {
            worstStallGap = Math.max(worstStallGap, gap);
          }
        }
        fewest = Math.min(fewest, r.numbers().size());
        assertTrue(!r.numbers().isEmpty() && r.atNanos().get(r.atNanos().size() - 1) > stalledAt + Duration.ofSeconds(4).toNanos(),
            "client " + i + " stopped receiving after the stall");
      }
      long fewestLogs = Long.MAX_VALUE;
      for (int i = 0; i < LOG_CLIENTS; i++) {
        fewestLogs = Math.min(fewestLogs, checkLogs(i, clients.get(CLIENTS + i), subscriptions.get(CLIENTS + i),
            logFilters.get(i), stalledAt));
      }
      long catchUps = SIMS.stream().mapToLong(sim -> sim.getLogsCalls.get()).sum();
      System.out.printf("logs failover: %d clients, at least %d logs each, every matching log of every block once,"
          + " in order; %d eth_getLogs catch-ups%n", LOG_CLIENTS, fewestLogs, catchUps);
      assertTrue(catchUps >= 2, "the logs feed did not catch up over HTTP after moving");
      System.out.printf("subscription failover: %d clients, at least %d blocks each, all in order once;"
          + " longest silence after the kill %d ms, after the stall %d ms (stall detection: 3 s)%n",
          CLIENTS, fewest, worstKillGap / 1_000_000, worstStallGap / 1_000_000);
      assertTrue(fewest >= 80, "too few blocks: " + fewest);
    } finally {
      for (WsTestClient c : clients) {
        c.socket.abort();
      }
    }
  }

  /** Checks one logs client: in chain order, each once, and for every block it covers exactly the matching logs. */
  private static long checkLogs(int i, WsTestClient c, String subscription, LogFilter filter, long stalledAt)
      throws InterruptedException {
    List<JsonNode> logs = new ArrayList<>();
    long lastArrival = 0;
    String text;
    while ((text = c.received.poll(0, TimeUnit.MILLISECONDS)) != null) {
      JsonNode message = TestNodes.json(text);
      lastArrival = c.arrivals.poll();
      if (message.has("method")) {
        assertEquals(subscription, message.get("params").get("subscription").asText());
        logs.add(message.get("params").get("result"));
      }
    }
    assertTrue(logs.size() > 10 && lastArrival > stalledAt + Duration.ofSeconds(4).toNanos(),
        "logs client " + i + " stopped receiving (" + logs.size() + " logs)");
    long first = Long.decode(logs.get(0).get("blockNumber").asText());
    long last = Long.decode(logs.get(logs.size() - 1).get("blockNumber").asText());
    Map<Long, List<String>> byBlock = new java.util.TreeMap<>();
    long previous = -1;
    for (JsonNode log : logs) {
      long block = Long.decode(log.get("blockNumber").asText());
      long position = block * 100 + Long.decode(log.get("logIndex").asText());
      assertTrue(position > previous, "logs client " + i + ": out of order or repeated at block " + block);
      previous = position;
      byBlock.computeIfAbsent(block, b -> new ArrayList<>()).add(log.toString());
    }
    for (long b = first; b < last; b++) {
      List<String> expected = SIMS.get(0).logs(b, filter).stream().map(l -> TestNodes.json(l).toString()).toList();
      assertEquals(expected, byBlock.getOrDefault(b, List.of()), "logs client " + i + ", block " + b);
    }
    return logs.size();
  }

  private static Received drain(WsTestClient c, String subscription) throws InterruptedException {
    List<Long> numbers = new ArrayList<>();
    List<Long> at = new ArrayList<>();
    String text;
    while ((text = c.received.poll(0, TimeUnit.MILLISECONDS)) != null) {
      JsonNode message = TestNodes.json(text);
      if (!message.has("method")) {
        continue;
      }
      assertEquals(subscription, message.get("params").get("subscription").asText());
      numbers.add(Long.decode(message.get("params").get("result").get("number").asText()));
      at.add(c.arrivals.poll());
    }
    return new Received(numbers, at);
  }
}
