package io.riata.http.rpc;

import static io.riata.http.TestNodes.call;
import static io.riata.http.TestNodes.getOps;
import static io.riata.http.TestNodes.json;
import static io.riata.http.TestNodes.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.riata.core.config.ProviderConfig;
import io.riata.http.RiataServer;
import io.riata.http.TestNodes;
import io.riata.http.data.RoutingHeaders;
import io.riata.http.sim.SimSettings;
import io.riata.http.sim.SimulatedProvider;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * What a node believes about heads, on loopback with simulated providers. Rogue: three honest
 * providers and one whose head is 100,000 blocks ahead, through one node,
 * round-robin. The liar must be found rogue from its head probes, get no request at all (not even
 * when every honest provider is down), never leak its head to a client, and show as rogue in the
 * admin API and the metrics. Finality: each provider's safe and finalized blocks, probed with the
 * block tags, show in the admin API and the metrics.
 */
class HeadTruthIT {

  private static final long START = 5_000;
  private static final long LIE = 100_000;

  @Test
  void aProviderFarAheadOfTheQuorumGetsNoTrafficAndShowsAsRogue() throws Exception {
    List<SimulatedProvider> sims = new ArrayList<>();
    List<ProviderConfig> providers = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      SimulatedProvider sim = SimulatedProvider.start(SimSettings.healthy("rogue-honest" + i, 311).withStartBlock(START));
      sims.add(sim);
      providers.add(TestNodes.provider("honest" + i, sim.httpUrl(), 1));
    }
    SimulatedProvider liar = SimulatedProvider.start(SimSettings.healthy("rogue-liar", 311).withStartBlock(START + LIE));
    sims.add(liar);
    providers.add(TestNodes.provider("liar", liar.httpUrl(), 1));
    try (RiataServer server = TestNodes.start(TestNodes.config(
        List.of(TestNodes.chain("rogue", 311, "round-robin", providers)), List.of()), "")) {
      await(() -> json(getOps(server, "/admin/providers/liar").body()).path("cluster").path("rogue").asBoolean(),
          "the liar was never found rogue");
      await(() -> json(getOps(server, "/admin/providers/honest1").body()).path("cluster").path("finalized").asLong() > 0,
          "honest1's finalized block never showed");
      JsonNode honest = json(getOps(server, "/admin/providers/honest1").body()).path("cluster");
      assertFalse(honest.path("rogue").asBoolean(), honest.toString());
      long head = honest.path("head").asLong();
      long safe = honest.path("safe").asLong();
      long finalized = honest.path("finalized").asLong();
      assertTrue(finalized > START - 100 && finalized < safe && safe <= head + 1,
          "finalized " + finalized + " < safe " + safe + " <= head " + head);
      assertFalse(honest.path("finalizedWentBack").asBoolean());
      liar.resetCounts();

      int toLiar = 0;
      long highest = -1;
      for (int i = 0; i < 60; i++) {
        HttpResponse<String> r = post(server, "/rpc/rogue", call("eth_blockNumber", "[]", i));
        assertEquals(200, r.statusCode(), r.body());
        if ("liar".equals(r.headers().firstValue(RoutingHeaders.PROVIDER).orElse(""))) {
          toLiar++;
        }
        highest = Math.max(highest, Long.decode(json(r.body()).get("result").asText()));
        String address = String.format("\"0x%040x\"", i + 1);
        HttpResponse<String> read = post(server, "/rpc/rogue", call("eth_getBalance", "[" + address + ",\"latest\"]", i));
        assertEquals(200, read.statusCode(), read.body());
        if ("liar".equals(read.headers().firstValue(RoutingHeaders.PROVIDER).orElse(""))) {
          toLiar++;
        }
      }
      System.out.printf("rogue: 60 eth_blockNumber and 60 eth_getBalance round-robin over 3 honest providers and a"
          + " liar %d blocks ahead: %d routed to the liar, the liar got %d eth_getBalance, highest head served %d%n",
          LIE, toLiar, liar.requests("eth_getBalance"), highest);
      assertEquals(0, toLiar, "a rogue provider is left out, not ranked lower");
      assertEquals(0, liar.requests("eth_getBalance"));
      assertTrue(highest < START + LIE / 2, "the liar's head reached a client: " + highest);

      // With every honest provider down, the liar is still not asked: a rogue is left out, not a last resort.
      for (int i = 0; i < 3; i++) {
        sims.get(i).kill();
      }
      for (int i = 0; i < 10; i++) {
        HttpResponse<String> r = post(server, "/rpc/rogue", call("eth_getBalance", "[\"0x" + "1".repeat(40)
            + "\",\"latest\"]", 100 + i));
        assertTrue(json(r.body()).has("error"), r.body());
      }
      assertEquals(0, liar.requests("eth_getBalance"), "the liar was asked when the others were down");

      // The scrape text is rendered every kamon.metric.tick-interval (5 s): wait for a tick that has the flags.
      await(() -> {
        String metrics = getOps(server, "/metrics").body();
        return metrics.lines().anyMatch(l -> l.startsWith("riata_provider_rogue{")
                && l.contains("provider=\"liar\"") && l.endsWith(" 1.0"))
            && metrics.lines().anyMatch(l -> l.startsWith("riata_provider_rogue{")
                && l.contains("provider=\"honest1\"") && l.endsWith(" 0.0"))
            && metrics.lines().anyMatch(l -> l.startsWith("riata_provider_finalized_block{")
                && l.contains("provider=\"honest2\"") && !l.endsWith(" -1.0"));
      }, () -> "/metrics never showed the liar rogue, honest1 not rogue and honest2's finalized block:\n"
          + getOps(server, "/metrics").body().lines().filter(l -> l.startsWith("riata_provider_")).toList());
    } finally {
      sims.forEach(SimulatedProvider::close);
    }
  }

  private static void await(BooleanSupplier condition, String failure) throws InterruptedException {
    await(condition, () -> failure);
  }

  private static void await(BooleanSupplier condition, Supplier<String> failure) throws InterruptedException {
    long until = System.nanoTime() + 20_000_000_000L;
    while (System.nanoTime() < until) {
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(failure.get());
  }
}
