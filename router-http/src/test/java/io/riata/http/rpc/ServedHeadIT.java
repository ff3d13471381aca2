package io.riata.http.rpc;

import static io.riata.http.TestNodes.call;
import static io.riata.http.TestNodes.json;
import static io.riata.http.TestNodes.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.riata.core.config.ProviderConfig;
import io.riata.http.RiataServer;
import io.riata.http.TestNodes;
import io.riata.http.sim.SimSettings;
import io.riata.http.sim.SimulatedProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Three providers of one chain at different heads that keep moving against each other (one leads,
 * the other two fall up to three blocks behind and catch up again, at random, many times a
 * second), served round-robin through one node on loopback. A client that reads
 * {@code eth_blockNumber} and then asks for that block must never see the number go down, and
 * must always find the block: Riata holds the answer at the highest head it served, and sends
 * a request for a block only to providers that have it (or moves on when one answers {@code null}).
 */
class ServedHeadIT {

  private static final int ROUNDS = 400;

  @Test
  void theHeadNeverGoesBackwardsAndAServedBlockIsAlwaysFound() throws Exception {
    List<SimulatedProvider> sims = new ArrayList<>();
    List<ProviderConfig> providers = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      SimulatedProvider sim = SimulatedProvider.start(SimSettings.healthy("served-p" + i, 310)
          .withBlockTime(Duration.ofMillis(300)).withStartBlock(1_000));
      sims.add(sim);
      providers.add(TestNodes.provider("p" + i, sim.httpUrl(), i));
    }
    AtomicBoolean flapping = new AtomicBoolean(true);
    Random random = new Random(42);
    Thread flapper = new Thread(() -> {
      while (flapping.get()) {
        long lead = sims.get(0).head();
        sims.get(1).head(Math.max(0, lead - random.nextInt(4)));
        sims.get(2).head(Math.max(0, lead - random.nextInt(4)));
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "head-flapper");
    flapper.setDaemon(true);
    flapper.start();
    try (RiataServer server = TestNodes.start(TestNodes.config(
        List.of(TestNodes.chain("served", 310, "round-robin", providers)), List.of()), "")) {
      long highest = -1;
      int backwards = 0;
      int missing = 0;
      List<String> examples = new ArrayList<>();
      for (int round = 0; round < ROUNDS; round++) {
        JsonNode head = json(post(server, "/rpc/served", call("eth_blockNumber", "[]", round)).body());
        long number = Long.decode(head.get("result").asText());
        if (number < highest) {
          backwards++;
          if (examples.size() < 5) {
            examples.add("eth_blockNumber " + number + " after " + highest);
          }
        }
        highest = Math.max(highest, number);
        String hex = "\"0x" + Long.toHexString(number) + "\"";
        JsonNode block = json(post(server, "/rpc/served", call("eth_getBlockByNumber", "[" + hex + ",false]", round))
            .body());
        if (!block.has("result") || block.get("result").isNull()
            || Long.decode(block.get("result").get("number").asText()) != number) {
          missing++;
          if (examples.size() < 5) {
            examples.add("block " + number + ": " + block);
          }
        }
      }
      System.out.printf("served head: %d rounds of eth_blockNumber then that block, round-robin over 3 flapping"
          + " providers: %d went backwards, %d blocks not found; highest head %d%n", ROUNDS, backwards, missing, highest);
      assertEquals(0, backwards, "eth_blockNumber went backwards: " + examples);
      assertEquals(0, missing, "a block number Riata served was not found: " + examples);
      assertTrue(highest > 1_000, "the heads moved: " + highest);
    } finally {
      flapping.set(false);
      flapper.interrupt();
      flapper.join(2_000);
      sims.forEach(SimulatedProvider::close);
    }
  }
}
