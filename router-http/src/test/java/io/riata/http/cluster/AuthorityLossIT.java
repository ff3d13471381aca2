package io.riata.http.cluster;

import static io.riata.http.TestNodes.json;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.riata.core.health.HeadProbeSchedule;
import io.riata.http.sim.Fault;
import io.riata.http.sim.SimSettings;
import io.riata.http.sim.SimulatedProvider;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The node that hosts a chain's pool dies (SIGKILL) under steady reads, in a cluster of three node
 * JVMs. Until the split-brain resolver has downed it and the pool has started on a survivor, the
 * survivors probe the heads themselves: a provider that falls behind in that window is seen
 * behind, one revived in it gets traffic again, and no survivor's view of the heads gets older
 * than two probe intervals plus one second. Then the pool is back within {@code stable-after}
 * plus 5 s of both survivors finding the node unreachable (the resolver's stable-after runs from
 * then).
 */
class AuthorityLossIT {

  private static final Duration BLOCK_TIME = Duration.ofSeconds(1);
  private static final Duration PROBE = HeadProbeSchedule.interval(BLOCK_TIME);
  /** Pekko's stable-after as Riata sets it (riata-pekko.conf); the test does not override it. */
  private static final Duration STABLE_AFTER = Duration.ofSeconds(7);
  private static final int MAX_LAG = 2;
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private static final List<SimulatedProvider> SIMS = new ArrayList<>();
  private static final List<RiataProcess> NODES = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "authority-loss-it"));
    StringBuilder yaml = new StringBuilder("chains:\n  c:\n    chain_id: 9\n    block_time: 1s\n"
        + "    max_lag_blocks: " + MAX_LAG + "\n    strategy: round-robin\n    providers:\n");
    for (int i = 1; i <= 3; i++) {
      SimulatedProvider sim = SimulatedProvider.start(
          SimSettings.healthy("p" + i, 9).withBlockTime(BLOCK_TIME).withLatency(Duration.ofMillis(1)));
      SIMS.add(sim);
      yaml.append("      - id: p").append(i).append("\n        http_url: ").append(sim.httpUrl()).append('\n');
    }
    Path chains = dir.resolve("chains.yml");
    Files.writeString(chains, yaml);
    // A breaker opened before the node dies stays open for a minute: only the survivors' own
    // probes can bring its provider back while the pool is away.
    List<String> options = List.of(
        "-Driata.cluster.breaker.open-duration=60s",
        "-Driata.cluster.breaker.max-open-duration=60s");
    NODES.addAll(RiataProcess.startCluster("node", 3, chains, options, dir));
  }

  @AfterAll
  static void stop() throws Exception {
    for (RiataProcess node : NODES) {
      node.close();
    }
    SIMS.forEach(SimulatedProvider::close);
  }

  /** One look at a survivor's /ready and its view of the providers. */
  private record Sample(long atMs, long headsAgeMs, long standInMs, long snapshotAgeMs) {}

  @Test
  void survivorsProbeHeadsThemselvesUntilThePoolIsBack() throws Exception {
    RiataProcess host = awaitPoolHost();
    List<RiataProcess> survivors = NODES.stream().filter(n -> n != host).toList();
    SimulatedProvider revived = SIMS.get(0);
    SimulatedProvider stalled = SIMS.get(1);

    // p1 dies while the pool is alive: its cluster breaker opens, for a minute.
    revived.kill();
    for (RiataProcess node : survivors) {
      await(() -> "OPEN".equals(provider(node, "p1").path("cluster").path("breaker").asText()),
          Duration.ofSeconds(20), node.name + " never saw p1's breaker open");
    }

    Map<RiataProcess, List<Sample>> samples = new HashMap<>();
    survivors.forEach(n -> samples.put(n, new ArrayList<>()));
    long unreachableMs = -1;
    long poolBackMs = -1;
    long poolPublishedMs = -1;
    Map<RiataProcess, Long> lastSnapshotAge = new HashMap<>();
    long revivedAtMs = -1;
    long stalledAtMs = -1;
    long p1ReadsInWindow = 0;
    long p2LagSeenInWindow = -1;
    try (ClusterLoad load = new ClusterLoad(() -> survivors, "c", 4, Duration.ofSeconds(90))) {
      Thread.sleep(1000);
      long killedAt = System.nanoTime();
      host.kill();
      long p1ReadsAtRevival = 0;
      boolean stoodIn = false;
      long deadline = killedAt + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline) {
        long nowMs = (System.nanoTime() - killedAt) / 1_000_000;
        boolean allBack = true;
        boolean allStandingIn = true;
        for (RiataProcess node : survivors) {
          JsonNode c = json(node.readyBody()).path("chains").path("c");
          Sample s = new Sample(nowMs, c.path("headsAgeMs").asLong(), c.path("standInMs").asLong(),
              c.path("snapshotAgeMs").asLong());
          samples.get(node).add(s);
          allStandingIn &= s.standInMs() > 0;
          // The pool publishes again (its entity started on a survivor): the snapshot age drops.
          Long before = lastSnapshotAge.put(node, s.snapshotAgeMs());
          if (poolPublishedMs < 0 && before != null && before >= 1500 && s.snapshotAgeMs() < before) {
            poolPublishedMs = nowMs;
          }
          allBack &= s.standInMs() == 0 && s.snapshotAgeMs() >= 0 && s.snapshotAgeMs() < 1500;
        }
        stoodIn |= allStandingIn;
        // The split-brain resolver's stable-after runs from the last change the survivors see:
        // from when both have found the killed node unreachable.
        if (unreachableMs < 0 && survivors.stream().allMatch(n -> victimUnreachable(n, host))) {
          unreachableMs = nowMs;
        }
        if (allStandingIn && revivedAtMs < 0) {
          // Both survivors probe on their own: p1 comes back, p2 stops following the chain.
          revived.revive();
          stalled.fault(Fault.STALL_HEAD);
          revivedAtMs = nowMs;
          stalledAtMs = nowMs;
          p1ReadsAtRevival = revived.requests("eth_getBalance");
        }
        if (revivedAtMs >= 0 && allStandingIn) {
          p1ReadsInWindow = revived.requests("eth_getBalance") - p1ReadsAtRevival;
          for (RiataProcess node : survivors) {
            p2LagSeenInWindow = Math.max(p2LagSeenInWindow, provider(node, "p2").path("cluster").path("lag").asLong());
          }
        }
        if (stoodIn && allBack) {
          poolBackMs = nowMs;
          break;
        }
        Thread.sleep(100);
      }
      Thread.sleep(1000);
      load.close();

      long bound = 2 * PROBE.toMillis() + 1000;
      for (RiataProcess node : survivors) {
        List<Sample> seen = samples.get(node);
        long maxAge = seen.stream().mapToLong(Sample::headsAgeMs).max().orElse(-1);
        long maxSnapshotAge = seen.stream().mapToLong(Sample::snapshotAgeMs).max().orElse(-1);
        long standIn = seen.stream().mapToLong(Sample::standInMs).max().orElse(0);
        System.out.printf("%s: %d samples; oldest head view %d ms (bound %d); oldest pool snapshot %d ms;"
            + " stood in for %d ms%n", node.name, seen.size(), maxAge, bound, maxSnapshotAge, standIn);
        assertTrue(maxAge >= 0 && maxAge <= bound, node.name + "'s view of the heads got " + maxAge
            + " ms old (bound " + bound + " ms)");
        assertTrue(standIn > 0, node.name + " never probed on its own");
      }
      System.out.printf("pool host %s killed at 0 ms; unreachable for both survivors at %d ms; p1 revived and p2 stalled at %d ms;"
              + " pool publishing again at %d ms, with a chain head (stand-ins over) at %d ms; %d reads ok, %d failed; p1 served %d reads and p2's lag reached %d"
              + " before the pool was back%n", host.name, unreachableMs, revivedAtMs, poolPublishedMs, poolBackMs,
          load.reads.ok.get(), load.reads.failures.size(), p1ReadsInWindow, p2LagSeenInWindow);
      load.reads.assertNoReadFailed("no read sent to a survivor may fail");
      assertTrue(load.reads.ok.get() > 100, "the load ran: " + load.reads.ok.get());
      assertTrue(poolBackMs > 0, "the pool never published again within 60 s of the kill");
      assertTrue(unreachableMs >= 0, "the killed node was never seen unreachable by both survivors");
      long backAfterUnreachable = poolPublishedMs - unreachableMs;
      assertTrue(poolPublishedMs > 0 && backAfterUnreachable <= STABLE_AFTER.toMillis() + 5000, "the pool published"
          + " again " + backAfterUnreachable + " ms after both survivors found its node unreachable"
          + " (bound stable-after + 5 s)");
      assertTrue(p1ReadsInWindow > 0, "p1 came back while the pool was away, yet got no reads until it returned");
      assertTrue(p2LagSeenInWindow > MAX_LAG, "p2 stopped following the chain while the pool was away,"
          + " yet the survivors saw it only " + p2LagSeenInWindow + " behind");
      assertTrue(stalledAtMs >= 0);
    } finally {
      stalled.fault(Fault.NONE);
    }
  }

  /** Where the chain's pool runs, once sharding has placed it. */
  private static RiataProcess awaitPoolHost() throws InterruptedException {
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < until) {
      JsonNode shards = admin(NODES.get(0), "/admin/cluster/shards");
      if (shards != null) {
        JsonNode node = shards.path("entityTypes").path("ProviderPool").path("entities").path(0).path("node");
        for (RiataProcess p : NODES) {
          if (node.asText("").equals(RiataProcess.address(p.clusterPort))) {
            return p;
          }
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the pool of chain c was never placed");
  }

  private static boolean victimUnreachable(RiataProcess observer, RiataProcess victim) {
    JsonNode members = admin(observer, "/admin/cluster/members");
    if (members == null) {
      return false;
    }
    String address = RiataProcess.address(victim.clusterPort);
    for (JsonNode m : members.path("members")) {
      if (m.path("address").asText().equals(address)) {
        return !m.path("reachable").asBoolean(true) || !m.path("status").asText().equals("Up");
      }
    }
    return true; // removed already
  }

  private static JsonNode provider(RiataProcess node, String id) {
    JsonNode p = admin(node, "/admin/providers/" + id);
    assertNotNull(p, node.name + " did not answer for provider " + id);
    return p;
  }

  /** An admin GET on the node's operator port (loopback: no token); null when it fails. */
  private static JsonNode admin(RiataProcess node, String path) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.operatorPort + path))
          .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? json(r.body()) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static void await(java.util.function.BooleanSupplier condition, Duration timeout, String failure)
      throws InterruptedException {
    long until = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > until) {
        throw new AssertionError(failure);
      }
      Thread.sleep(100);
    }
  }
}
