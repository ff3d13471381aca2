package io.riata.http.ws;

import static io.riata.http.TestNodes.call;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.riata.core.config.ChainConfig;
import io.riata.core.config.ProviderConfig;
import io.riata.http.RiataServer;
import io.riata.http.TestNodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One subscriber stops reading while heads keep coming (200 a second, 8 KB each): its connection is
 * closed once its send buffer is full, the other subscribers keep getting every head in order,
 * and the node's heap does not grow with the backlog.
 */
class SlowConsumerIT {

  private static HeadsSim sim;
  private static RiataServer server;

  @BeforeAll
  static void start() throws Exception {
    sim = new HeadsSim("big", Duration.ofMillis(5), System.nanoTime(), 8192);
    ProviderConfig provider = new ProviderConfig("big", sim.httpUrl(), sim.wsUrl(), 1, 1, false, Set.of(), Set.of(),
        null, Map.of(), 64);
    server = TestNodes.start(TestNodes.config(List.of(new ChainConfig("busy", 78, Duration.ofMillis(5), 1000,
        "priority", 1_000_000, List.of(provider))), List.of()), "riata.http.websocket.send-buffer = 64");
  }

  @AfterAll
  static void stop() {
    server.close();
    sim.close();
  }

  private static long usedHeapMb() {
    System.gc();
    Runtime rt = Runtime.getRuntime();
    return (rt.totalMemory() - rt.freeMemory()) / (1024 * 1024);
  }

  @Test
  void aClientThatStopsReadingIsClosedAndNobodyElseNotices() throws Exception {
    List<WsTestClient> healthy = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      WsTestClient c = new WsTestClient(server, "/ws/rpc/busy");
      c.send(call("eth_subscribe", "[\"newHeads\"]", i));
      healthy.add(c);
    }
    WsTestClient slow = new WsTestClient(server, "/ws/rpc/busy");
    slow.send(call("eth_subscribe", "[\"newHeads\"]", 99));
    slow.next();
    slow.paused = true;
    Thread.sleep(1000);
    long heapBefore = usedHeapMb();
    // A client that does not read cannot see the close either: let it hang for a while, then
    // read again and find that the server has given up on it.
    long until = System.nanoTime() + Duration.ofSeconds(8).toNanos();
    while (System.nanoTime() < until) {
      Thread.sleep(100);
      for (WsTestClient c : healthy) {
        c.received.clear(); // keep the test's own memory flat; order is checked below
        c.arrivals.clear();
      }
    }
    long heapAfter = usedHeapMb();
    slow.paused = false;
    slow.socket.request(Long.MAX_VALUE);
    long resumeUntil = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (slow.closedWith < 0 && System.nanoTime() < resumeUntil) {
      slow.received.clear();
      Thread.sleep(50);
    }
    assertEquals(1008, slow.closedWith, "the slow client was not closed for policy (1008)");
    for (WsTestClient c : healthy) {
      c.received.clear();
      c.arrivals.clear();
      long last = -1;
      for (int k = 0; k < 50; k++) {
        JsonNode m = c.next();
        if (!m.has("method")) {
          continue;
        }
        long n = Long.decode(m.get("params").get("result").get("number").asText());
        if (last >= 0) {
          assertEquals(last + 1, n, "a healthy client skipped or repeated a block");
        }
        last = n;
      }
      c.close();
    }
    System.out.printf("slow consumer: closed with %d; heap %d MB before, %d MB after%n",
        slow.closedWith, heapBefore, heapAfter);
    assertTrue(heapAfter < heapBefore + 64, "heap grew from " + heapBefore + " to " + heapAfter + " MB");
  }
}
