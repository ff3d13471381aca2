package io.riata.http.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Faults of Riata nodes in a cluster of three, under steady reads spread by a load balancer that
 * polls every node's {@code /ready} every 100 ms (500 ms timeout) and sends only to the nodes that
 * answered 200. The node hit is the one hosting the chain's pool, the worst case: the survivors
 * route from their last snapshot until the pool starts again elsewhere.
 */
final class NodeFaults {

  private static final Duration POLL = Duration.ofMillis(250);
  private static final long FRESH_MS = 1_500;

  private final ProviderBed bed;
  private final ProviderFaults.Pace pace;
  private final Duration freeze;

  NodeFaults(ProviderBed bed, ProviderFaults.Pace pace, Duration freeze) {
    this.bed = bed;
    this.pace = pace;
    this.freeze = freeze;
  }

  /** The node whose address hosts the chain's ProviderPool, or the last node when none says. */
  private ChaosNode poolHost() {
    for (ChaosNode node : bed.nodes) {
      JsonNode shards = node.admin("/admin/cluster/shards");
      if (shards == null) {
        continue;
      }
      for (JsonNode entity : shards.path("entityTypes").path("ProviderPool").path("entities")) {
        if (ProviderBed.CHAIN.equals(entity.path("entityId").asText())) {
          String at = entity.path("node").asText();
          for (ChaosNode candidate : bed.nodes) {
            if (at.endsWith(":" + candidate.clusterPort)) {
              return candidate;
            }
          }
        }
      }
    }
    return bed.nodes.get(bed.nodes.size() - 1);
  }

  /** True while {@code node} is still a member in the view of {@code from}. */
  private static boolean member(ChaosNode from, ChaosNode node) {
    JsonNode members = from.admin("/admin/cluster/members");
    if (members == null) {
      return true;
    }
    for (JsonNode m : members.path("members")) {
      if (m.path("address").asText().endsWith(":" + node.clusterPort)) {
        return true;
      }
    }
    return false;
  }

  Row nodeKilled() throws IOException, InterruptedException {
    return lose("node-sigkill", true);
  }

  Row nodeFrozen() throws IOException, InterruptedException {
    return lose("sigstop-partition", false);
  }

  /**
   * SIGKILL, or SIGSTOP for the freeze time then SIGCONT, to the pool's node. Exclusion: the
   * victim gone from the survivors' membership (downed by the split-brain resolver). Recovery:
   * every survivor routing from a fresh snapshot (younger than 1.5 s) once the victim is gone.
   */
  private Row lose(String id, boolean kill) throws IOException, InterruptedException {
    bed.heal();
    ChaosNode victim = poolHost();
    List<ChaosNode> survivors = bed.nodes.stream().filter(n -> n != victim).toList();
    long removedAt = -1;
    long freshAt = -1;
    long maxAgeMs = 0;
    long maxHeadsAgeMs = -1;
    long t0;
    long end;
    String after = "";
    ChaosLoad load;
    try (Balancer balancer = new Balancer(bed.nodes)) {
      load = new ChaosLoad(balancer::ready, ProviderBed.CHAIN, pace.clients(), pace.pause(),
          Duration.ofSeconds(120), 400_000);
      try (load) {
        Thread.sleep(pace.warm().toMillis());
        t0 = System.nanoTime();
        if (kill) {
          victim.kill();
        } else {
          victim.freeze();
        }
        long limit = t0 + Duration.ofSeconds(60).toNanos();
        boolean thawed = kill;
        while (System.nanoTime() < limit && (removedAt < 0 || freshAt < 0)) {
          if (!thawed && System.nanoTime() - t0 >= freeze.toNanos()) {
            victim.thaw();
            thawed = true;
          }
          long oldest = 0;
          for (ChaosNode s : survivors) {
            long age = s.readyFigure(ProviderBed.CHAIN, "snapshotAgeMs");
            oldest = Math.max(oldest, age < 0 ? Long.MAX_VALUE / 2 : age);
            maxHeadsAgeMs = Math.max(maxHeadsAgeMs, s.readyFigure(ProviderBed.CHAIN, "headsAgeMs"));
          }
          maxAgeMs = Math.max(maxAgeMs, oldest);
          if (removedAt < 0 && survivors.stream().noneMatch(s -> member(s, victim))) {
            removedAt = System.nanoTime();
          }
          if (removedAt >= 0 && oldest < FRESH_MS) {
            freshAt = System.nanoTime();
          }
          Thread.sleep(POLL.toMillis());
        }
        if (!thawed) {
          while (System.nanoTime() - t0 < freeze.toNanos()) {
            Thread.sleep(POLL.toMillis());
          }
          victim.thaw();
        }
        Thread.sleep(1000);
        end = System.nanoTime();
        if (!kill) {
          boolean exited = victim.waitForExit(Duration.ofSeconds(30));
          after = exited ? "after SIGCONT the frozen node exited by itself (exit code " + victim.exitCode() + ")"
              : "after SIGCONT, no longer a member, the frozen node's process was still running 30 s later (/ready: "
                  + describe(victim.status("/ready")) + ", /health: " + describe(victim.status("/health")) + ")";
        }
      }
    }
    long restartStart = System.nanoTime();
    if (victim.alive()) {
      victim.kill();
    }
    victim.start();
    victim.awaitReady(Duration.ofSeconds(120));
    long rejoinNanos = System.nanoTime() - restartStart;
    List<ChaosLoad.Read> window = load.sentBetween(t0, end);
    Row.Stats stats = Row.Stats.of(window);
    List<ChaosLoad.Read> toVictim = window.stream().filter(r -> r.node().equals(victim.name)).toList();
    int failedOnVictim = (int) toVictim.stream().filter(r -> !r.ok()).count();
    String notes = String.format(Locale.ROOT,
        "%s hosted the chain's pool; %d of the failed reads were sent to it (%s), %d to the survivors%s; "
            + "oldest survivor snapshot %s, oldest heads view routed on %s; %srestarted node ready again in %s",
        victim.name, failedOnVictim, failedOnVictim == 0 ? "none" : ProviderFaults.reasons(toVictim),
        stats.failed() - failedOnVictim,
        stats.failed() - failedOnVictim > 0 ? " (" + ProviderFaults.reasons(window.stream()
            .filter(r -> !r.node().equals(victim.name)).toList()) + ")" : "",
        maxAgeMs >= Long.MAX_VALUE / 4 ? "unknown" : Row.ms(maxAgeMs),
        maxHeadsAgeMs < 0 ? "not reported" : Row.ms(maxHeadsAgeMs), after.isEmpty() ? "" : after + "; ",
        Row.seconds(rejoinNanos));
    String setup = kill ? "SIGKILL to " + victim.name + " of 3"
        : "SIGSTOP to " + victim.name + " of 3 for " + freeze.toSeconds() + " s, then SIGCONT";
    return new Row(id, setup, Integer.toString(stats.reads()), Integer.toString(stats.failed()), Row.ms(stats.p50Ms()),
        Row.ms(stats.p99Ms()) + " (max " + Row.ms(stats.maxMs()) + ")",
        Row.seconds(removedAt < 0 ? -1 : removedAt - t0), Row.seconds(freshAt < 0 ? -1 : freshAt - t0),
        Row.attempts(window), notes);
  }

  private static String describe(int status) {
    return status < 0 ? "no answer" : Integer.toString(status);
  }

  /** SIGTERM, restart and wait for readiness, one node after the other. */
  Row rollingRestart() throws IOException, InterruptedException {
    bed.heal();
    List<String> exits = new ArrayList<>();
    long t0;
    long end;
    ChaosLoad load;
    try (Balancer balancer = new Balancer(bed.nodes)) {
      load = new ChaosLoad(balancer::ready, ProviderBed.CHAIN, pace.clients(), pace.pause(),
          Duration.ofSeconds(300), 1_000_000);
      try (load) {
        Thread.sleep(pace.warm().toMillis());
        t0 = System.nanoTime();
        for (ChaosNode node : bed.nodes) {
          long stopping = System.nanoTime();
          boolean stopped = node.stop(Duration.ofSeconds(30));
          exits.add(stopped ? Row.seconds(System.nanoTime() - stopping) : "no exit in 30 s");
          if (!stopped) {
            node.kill();
          }
          node.start();
          node.awaitReady(Duration.ofSeconds(120));
          Thread.sleep(1000);
        }
        end = System.nanoTime();
      }
    }
    List<ChaosLoad.Read> window = load.sentBetween(t0, end);
    Row.Stats stats = Row.Stats.of(window);
    return new Row("rolling-restart", "SIGTERM, restart, ready; each of 3 nodes in turn",
        Integer.toString(stats.reads()), Integer.toString(stats.failed()), Row.ms(stats.p50Ms()),
        Row.ms(stats.p99Ms()) + " (max " + Row.ms(stats.maxMs()) + ")", Row.NONE,
        Row.seconds(end - t0) + " (whole restart)", Row.attempts(window),
        "SIGTERM to exit per node: " + String.join(", ", exits)
            + (stats.failed() > 0 ? "; failures: " + ProviderFaults.reasons(window) : ""));
  }

  /**
   * What a load balancer does in front of Riata: polls {@code /ready} of every node and sends only
   * to those that answered 200 at their last poll.
   */
  static final class Balancer implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> pollers = new ArrayList<>();
    private final java.util.Map<ChaosNode, Boolean> up = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<ChaosNode> nodes;

    Balancer(List<ChaosNode> nodes) {
      this.nodes = List.copyOf(nodes);
      for (ChaosNode node : this.nodes) {
        up.put(node, true);
        // One poller per node, so a frozen node's slow answer does not delay the others' polls.
        Thread poller = new Thread(() -> {
          while (running.get()) {
            up.put(node, node.alive() && node.readyStatus(Duration.ofMillis(500)) == 200);
            try {
              Thread.sleep(100);
            } catch (InterruptedException e) {
              return;
            }
          }
        }, "balancer-" + node.name);
        poller.setDaemon(true);
        pollers.add(poller);
        poller.start();
      }
    }

    List<ChaosNode> ready() {
      return nodes.stream().filter(n -> up.getOrDefault(n, false)).toList();
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      for (Thread t : pollers) {
        t.interrupt();
        t.join(2000);
      }
    }
  }
}
