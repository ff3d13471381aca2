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
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A provider switches branch three blocks deep. Clients must see the replacement heads, from the
 * first replaced number up, each linked to the one before it, then the new branch going on.
 */
class HeadsReorgIT {

  private static final Duration BLOCK = Duration.ofMillis(150);
  private static HeadsSim sim;
  private static RiataServer server;

  @BeforeAll
  static void start() throws Exception {
    sim = new HeadsSim("r1", BLOCK, System.nanoTime());
    ProviderConfig provider = new ProviderConfig("r1", sim.httpUrl(), sim.wsUrl(), 1, 1, false, Set.of(), Set.of(),
        null, Map.of(), 64);
    server = TestNodes.start(TestNodes.config(List.of(new ChainConfig("forky", 78, BLOCK, 50, "priority", 100_000,
        List.of(provider))), List.of()), "");
  }

  @AfterAll
  static void stop() {
    server.close();
    sim.close();
  }

  @Test
  void aReorgDeliversTheReplacementHeadsInOrder() throws Exception {
    try (WsTestClient c = new WsTestClient(server, "/ws/rpc/forky")) {
      c.send(call("eth_subscribe", "[\"newHeads\"]", 1));
      assertTrue(c.next().get("result").asText().startsWith("0x"));
      List<JsonNode> before = new ArrayList<>();
      while (before.size() < 6) {
        before.add(c.next().get("params").get("result"));
      }
      long last = Long.decode(before.get(before.size() - 1).get("number").asText());
      long forkFrom = last - 2;
      sim.reorgFrom(forkFrom);
      List<JsonNode> after = new ArrayList<>();
      while (after.size() < 8) {
        after.add(c.next().get("params").get("result"));
      }

      // Every head links to the head of the number below it as the client last saw it.
      TreeMap<Long, String> seen = new TreeMap<>();
      List<Long> numbers = new ArrayList<>();
      List<JsonNode> all = new ArrayList<>(before);
      all.addAll(after);
      for (JsonNode head : all) {
        long n = Long.decode(head.get("number").asText());
        String parent = seen.get(n - 1);
        if (parent != null) {
          assertEquals(parent, head.get("parentHash").asText(), "block " + n + " does not continue what was delivered");
        }
        seen.tailMap(n, true).clear();
        seen.put(n, head.get("hash").asText());
        numbers.add(n);
      }
      int backwards = 0;
      for (int i = 1; i < numbers.size(); i++) {
        if (numbers.get(i) != numbers.get(i - 1) + 1) {
          backwards++;
          assertTrue(numbers.get(i) <= numbers.get(i - 1) && numbers.get(i) >= forkFrom,
              "only one step back, to a replaced block: " + numbers);
        }
      }
      assertEquals(1, backwards, "exactly one reorg: " + numbers);
      for (long n = forkFrom; n <= numbers.get(numbers.size() - 1); n++) {
        assertEquals(sim.hash(n), seen.get(n), "block " + n + " is not on the new branch");
      }
      System.out.printf("reorg from block %d: clients saw %s%n", forkFrom, numbers);
    }
  }

  @Test
  void aProviderThatCannotLinkItsHeadsIsLeftForTheNext() throws Exception {
    long epoch = System.nanoTime();
    try (HeadsSim lost = new HeadsSim("lost", BLOCK, epoch); HeadsSim good = new HeadsSim("good", BLOCK, epoch)) {
      RiataServer two = TestNodes.start(TestNodes.config(List.of(new ChainConfig("twin", 79, BLOCK, 50, "priority",
          100_000, List.of(
              new ProviderConfig("lost", lost.httpUrl(), lost.wsUrl(), 1, 1, false, Set.of(), Set.of(), null, Map.of(), 64),
              new ProviderConfig("good", good.httpUrl(), good.wsUrl(), 2, 1, false, Set.of(), Set.of(), null, Map.of(),
                  64)))), List.of()), "");
      try (WsTestClient c = new WsTestClient(two, "/ws/rpc/twin")) {
        c.send(call("eth_subscribe", "[\"newHeads\"]", 1));
        assertTrue(c.next().get("result").asText().startsWith("0x"));
        List<Long> numbers = new ArrayList<>();
        while (numbers.size() < 4) {
          numbers.add(Long.decode(c.next().get("params").get("result").get("number").asText()));
        }
        // The serving provider switches branch and cannot serve the blocks that would link it.
        lost.forgetful = true;
        lost.reorgFrom(numbers.get(numbers.size() - 1) - 1);
        while (numbers.size() < 20) {
          JsonNode head = c.next().get("params").get("result");
          numbers.add(Long.decode(head.get("number").asText()));
          assertEquals(good.hash(numbers.get(numbers.size() - 1)), head.get("hash").asText(),
              "a head from the branch that could not be linked was delivered");
        }
        for (int i = 1; i < numbers.size(); i++) {
          assertEquals(numbers.get(i - 1) + 1, numbers.get(i), "gap or repeat: " + numbers);
        }
        System.out.printf("unlinkable provider left: clients saw %s%n", numbers);
      } finally {
        two.close();
      }
    }
  }
}
