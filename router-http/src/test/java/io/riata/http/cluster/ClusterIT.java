package io.riata.http.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.riata.core.health.HeadProbeSchedule;
import io.riata.http.TestNodes;
import io.riata.http.sim.SimSettings;
import io.riata.http.sim.SimulatedProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three Riata nodes as separate JVMs on loopback, forming one cluster, in front of three simulated
 * providers that run in this JVM. The tests run in order on the same cluster; the last one kills a
 * node.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

  private static final Duration BLOCK_TIME = Duration.ofSeconds(1);
  private static final List<SimulatedProvider> SIMS = new ArrayList<>();
  private static final List<RiataProcess> NODES = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "cluster-it"));
    StringBuilder yaml = new StringBuilder("chains:\n  c:\n    chain_id: 9\n    block_time: 1s\n"
        + "    strategy: round-robin\n    providers:\n");
    for (int i = 1; i <= 3; i++) {
      SimulatedProvider sim = SimulatedProvider.start(
          SimSettings.healthy("p" + i, 9).withBlockTime(BLOCK_TIME).withLatency(Duration.ofMillis(1)));
      SIMS.add(sim);
      yaml.append("      - id: p").append(i).append("\n        http_url: ").append(sim.httpUrl()).append('\n');
    }
    Path chains = dir.resolve("chains.yml");
    Files.writeString(chains, yaml);
    List<String> options = List.of(
        "-Dpekko.cluster.split-brain-resolver.stable-after=3s",
        "-Driata.cluster.breaker.open-duration=500ms",
        "-Driata.cluster.breaker.max-open-duration=1s",
        // A load balancer polls /ready every 100 ms in the rolling restart: give it time to notice.
        "-Driata.http.shutdown.unready-grace=500ms");
    NODES.addAll(RiataProcess.startCluster("node", 3, chains, options, dir));
  }

  @AfterAll
  static void stop() throws Exception {
    for (RiataProcess node : NODES) {
      node.close();
    }
    SIMS.forEach(SimulatedProvider::close);
  }

  private static List<RiataProcess> alive() {
    return NODES.stream().filter(RiataProcess::alive).toList();
  }

  @Test
  @Order(1)
  void headProbesRunOncePerProviderForTheWholeCluster() throws Exception {
    Duration interval = HeadProbeSchedule.interval(BLOCK_TIME);
    Duration window = Duration.ofSeconds(6);
    SIMS.forEach(SimulatedProvider::resetCounts);
    Thread.sleep(window.toMillis());
    double expected = (double) window.toMillis() / interval.toMillis();
    for (SimulatedProvider sim : SIMS) {
      long probes = sim.requests("eth_blockNumber");
      System.out.printf("probes at %s in %d s: %d (one prober at %d ms: %.0f; one per node would be %.0f)%n",
          sim.name(), window.toSeconds(), probes, interval.toMillis(), expected, 3 * expected);
      assertTrue(probes >= expected * 0.5, sim.name() + " was probed too little: " + probes);
      assertTrue(probes <= expected * 1.5 + 1, sim.name() + " was probed by more than one node: " + probes);
    }
  }

  @Test
  @Order(2)
  void aDeadProviderIsExcludedByEveryNodeWithinASecondAndNoReadFails() throws Exception {
    SimulatedProvider p2 = SIMS.get(1);
    long killedAt;
    try (ClusterLoad load = new ClusterLoad(ClusterIT::alive, "c", 6, Duration.ofSeconds(30))) {
      Thread.sleep(1500);
      killedAt = System.nanoTime();
      p2.kill();
      Thread.sleep(3000);
      load.close();
      Map<String, Long> lastFailedAttempt = new HashMap<>();
      Map<String, Integer> failedAttempts = new HashMap<>();
      for (ClusterLoad.Attempt a : load.attempts) {
        if (a.provider().equals("p2") && a.failed() && a.atNanos() > killedAt) {
          lastFailedAttempt.merge(a.node(), a.atNanos() - killedAt, Math::max);
          failedAttempts.merge(a.node(), 1, Integer::sum);
        }
      }
      System.out.printf("provider death: %d reads ok, %d failed; failed attempts on p2 per node %s;"
          + " last one after the kill (ms) %s%n", load.reads.ok.get(), load.reads.failures.size(), failedAttempts,
          lastFailedAttempt.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue() / 1_000_000).toList());
      load.reads.assertNoReadFailed("no read may fail");
      assertTrue(load.reads.ok.get() > 100, "the load ran: " + load.reads.ok.get());
      for (var e : lastFailedAttempt.entrySet()) {
        assertTrue(e.getValue() < Duration.ofSeconds(1).toNanos(),
            e.getKey() + " still tried p2 " + e.getValue() / 1_000_000 + " ms after it died");
      }
    } finally {
      p2.revive();
    }
  }

  @Test
  @Order(3)
  void aRollingRestartOfAllNodesUnderLoadFailsNoRead() throws Exception {
    long[] stopMs = new long[NODES.size()];
    try (ReadinessBalancer balancer = new ReadinessBalancer(NODES, 100);
         ClusterLoad load = new ClusterLoad(balancer::healthy, "c", 4, Duration.ofSeconds(120))) {
      Thread.sleep(1000);
      for (int i = 0; i < NODES.size(); i++) {
        RiataProcess node = NODES.get(i);
        long stopping = System.nanoTime();
        assertTrue(node.stop(Duration.ofSeconds(30)), node.name + " did not stop within 30 s of SIGTERM");
        stopMs[i] = (System.nanoTime() - stopping) / 1_000_000;
        node.start();
        node.awaitReady(Duration.ofSeconds(90));
        Thread.sleep(500);
      }
      load.close();
      System.out.printf("rolling restart: %d reads ok, %d failed; SIGTERM to exit (ms) %s%n",
          load.reads.ok.get(), load.reads.failures.size(), java.util.Arrays.toString(stopMs));
      load.reads.assertNoReadFailed("no read may fail");
      assertTrue(load.reads.ok.get() > 100, "the load ran: " + load.reads.ok.get());
    }
  }

  @Test
  @Order(4)
  void aNodeKilledUnderLoadCostsNoReadOnTheOthersAndItsEntitiesComeBack() throws Exception {
    RiataProcess victim = NODES.get(2);
    List<RiataProcess> survivors = List.of(NODES.get(0), NODES.get(1));
    try (ClusterLoad load = new ClusterLoad(() -> survivors, "c", 4, Duration.ofSeconds(60))) {
      Thread.sleep(1000);
      long killedAt = System.nanoTime();
      victim.kill();
      // The pool of chain "c" may have lived on the victim: survivors keep routing from their
      // cached snapshots, and once the victim is downed the pool starts again on a survivor.
      long recoveredMs = -1;
      long until = System.nanoTime() + Duration.ofSeconds(40).toNanos();
      while (System.nanoTime() < until) {
        Thread.sleep(250);
        boolean fresh = true;
        for (RiataProcess node : survivors) {
          String ready = node.readyBody();
          long age = TestNodes.json(ready).get("chains").get("c").get("snapshotAgeMs").asLong();
          fresh &= age >= 0 && age < 1500;
        }
        if (fresh && System.nanoTime() - killedAt > Duration.ofSeconds(5).toNanos()) {
          recoveredMs = (System.nanoTime() - killedAt) / 1_000_000;
          break;
        }
      }
      Thread.sleep(1000);
      load.close();
      System.out.printf("node kill: %d reads ok on the survivors, %d failed; snapshots fresh on both %d ms after%n",
          load.reads.ok.get(), load.reads.failures.size(), recoveredMs);
      load.reads.assertNoReadFailed("no read sent to a surviving node may fail");
      assertTrue(recoveredMs > 0, "the survivors' snapshots never became fresh again");
    }
  }
}
