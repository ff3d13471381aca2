package io.riata.http.cluster;

import static io.riata.http.TestNodes.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.riata.http.Main;
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
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three Riata nodes as separate JVMs; the one running the singleton (the oldest) is frozen with
 * SIGSTOP for 30 s, then resumed, under steady reads sent to the other two. The split-brain
 * resolver's timings are the shipped ones ({@code riata-pekko.conf}).
 *
 * <p>Every node's own view ({@code GET /admin/cluster/local}) is sampled every 150 ms throughout.
 * A sample is a claim on each shard and singleton the node hosts while it says {@code owns}. A
 * claim holds at some moment between the sample's request and its answer; two consecutive claims
 * of one node on the same shard mean it certainly owned that shard between the first answer and
 * the second request. Two nodes owned a shard at once if one claimed it inside an interval where
 * the other certainly owned it: the test looks for that in both directions, for every pair.
 *
 * <p>The resumed node is busy with its shutdown and often answers none of its samples before it
 * exits; whatever it does answer after the resume must not claim ownership.
 */
class PartitionIT {

  private static final Duration FREEZE = Duration.ofSeconds(30);
  private static final Duration SAMPLE_EVERY = Duration.ofMillis(150);
  private static final String SINGLETON = "singleton/riata-event-aggregator";
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(1)).build();
  private static final List<String> OPTIONS = List.of(
      "-DRIATA_PEKKO_LOG_LEVEL=INFO",
      // Keeps a downed node's operator port open for 3 s after it starts leaving (as a deployment
      // behind a load balancer would), so the sampler sees what the resumed node says of itself.
      "-Driata.http.shutdown.unready-grace=3s");
  private static final List<SimulatedProvider> SIMS = new ArrayList<>();
  private static final List<RiataProcess> NODES = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "partition-it"));
    StringBuilder yaml = new StringBuilder("chains:\n  c:\n    chain_id: 9\n    block_time: 1s\n"
        + "    strategy: round-robin\n    providers:\n");
    for (int i = 1; i <= 3; i++) {
      SimulatedProvider sim = SimulatedProvider.start(
          SimSettings.healthy("p" + i, 9).withBlockTime(Duration.ofSeconds(1)).withLatency(Duration.ofMillis(1)));
      SIMS.add(sim);
      yaml.append("      - id: p").append(i).append("\n        http_url: ").append(sim.httpUrl()).append('\n');
    }
    Path chains = dir.resolve("chains.yml");
    Files.writeString(chains, yaml);
    NODES.addAll(RiataProcess.startCluster("partition-node", 3, chains, OPTIONS, dir));
  }

  @AfterAll
  static void stop() throws Exception {
    for (RiataProcess node : NODES) {
      node.close();
    }
    SIMS.forEach(SimulatedProvider::close);
  }

  @Test
  void aFrozenNodeIsDownedTheMajorityServesAndNoShardOrSingletonEverHasTwoOwners() throws Exception {
    // The cluster is settled: three Up members everywhere, one singleton, every node owning.
    Map<RiataProcess, Local> before = new HashMap<>();
    await(Duration.ofSeconds(60), () -> {
      before.clear();
      for (RiataProcess node : NODES) {
        Local l = local(node, Duration.ofSeconds(5));
        if (l == null || !l.owns() || upMembers(node) != 3) {
          return false;
        }
        before.put(node, l);
      }
      return before.values().stream().filter(l -> l.claims().contains(SINGLETON)).count() == 1;
    }, "the cluster did not settle: three members Up, each owning, one singleton");
    RiataProcess victim = NODES.stream().filter(n -> before.get(n).claims().contains(SINGLETON)).findFirst().orElseThrow();
    List<RiataProcess> majority = NODES.stream().filter(n -> n != victim).toList();
    long oldUid = before.get(victim).uid();
    String victimAddress = before.get(victim).address();

    long frozenAt;
    long resumedAt;
    long unreachableAt = -1;
    long downedAt = -1;
    long removedAt = -1;
    int exitStatus;
    long exitedAt;
    List<Local> samples;
    try (Sampler sampler = new Sampler(NODES);
         ClusterLoad load = new ClusterLoad(() -> majority, "c", 4, Duration.ofSeconds(90))) {
      Thread.sleep(1000);
      frozenAt = System.nanoTime();
      victim.pause();
      long resumeAt = frozenAt + FREEZE.toNanos();
      while (System.nanoTime() < resumeAt) {
        long now = System.nanoTime();
        boolean removedEverywhere = true;
        for (RiataProcess node : majority) {
          String status = memberStatus(node, victimAddress);
          if (status == null) {
            continue; // no answer in time: look again
          }
          if (unreachableAt < 0 && !status.equals("Up reachable")) {
            unreachableAt = now;
          }
          if (downedAt < 0 && (status.startsWith("Down") || status.equals("absent"))) {
            downedAt = now;
          }
          removedEverywhere &= status.equals("absent");
        }
        if (removedAt < 0 && removedEverywhere) {
          removedAt = now;
        }
        Thread.sleep(Math.max(0, Math.min(200, (resumeAt - System.nanoTime()) / 1_000_000)));
      }
      resumedAt = System.nanoTime();
      victim.resume();
      exitStatus = victim.awaitExit(Duration.ofSeconds(30));
      exitedAt = System.nanoTime();

      Thread.sleep(500);
      load.close();
      sampler.close();
      samples = List.copyOf(sampler.samples);

      // What each node held when the victim froze: their last answers before it.
      Map<String, Local> lastBefore = new HashMap<>();
      for (Local l : samples) {
        if (l.receivedNanos() < frozenAt) {
          lastBefore.merge(l.node(), l, (a, b) -> a.sentNanos() > b.sentNanos() ? a : b);
        }
      }
      Set<String> victimClaims = new TreeSet<>(lastBefore.get(victim.name).claims());
      String poolNode = lastBefore.values().stream().filter(l -> l.entities().contains("ProviderPool/c"))
          .map(Local::node).findFirst().orElse("nowhere");
      System.out.printf("partition: froze %s (singleton, oldest; it owned %s); the pool of chain c was on %s%n",
          victim.name, victimClaims, poolNode);

      // Figures first, so a failure below still shows them.
      Map<String, Long> back = new HashMap<>();
      for (Local s : samples) {
        if (!s.node().equals(victim.name) && s.owns() && s.sentNanos() > frozenAt) {
          for (String claim : s.claims()) {
            if (victimClaims.contains(claim)) {
              back.merge(claim, s.receivedNanos() - frozenAt, Math::min);
            }
          }
        }
      }
      List<Local> afterResume = samples.stream()
          .filter(s -> s.node().equals(victim.name) && s.receivedNanos() > resumedAt).toList();
      long lastHostedAfterResume = afterResume.stream().filter(s -> !s.hosts().isEmpty())
          .mapToLong(s -> s.receivedNanos() - resumedAt).max().orElse(-1);
      System.out.printf("partition: frozen for %d s; on the majority the frozen node was unreachable after %s,"
              + " downed after %s, removed after %s; its shards and the singleton were back on the majority after %s"
              + " (%s); resumed, it answered %d local views (%d claiming ownership), still hosted entities in its"
              + " JVM %s after the resume, and exited with status %d %s after the resume%n",
          FREEZE.toSeconds(), ms(unreachableAt - frozenAt, unreachableAt), ms(downedAt - frozenAt, downedAt),
          ms(removedAt - frozenAt, removedAt),
          back.keySet().containsAll(victimClaims) ? ms(back.values().stream().max(Long::compare).orElse(0L), 0) : "never",
          back.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue() / 1_000_000 + "ms").sorted().toList(),
          afterResume.size(), afterResume.stream().filter(Local::owns).count(),
          lastHostedAfterResume < 0 ? "never" : "until " + lastHostedAfterResume / 1_000_000 + " ms",
          exitStatus, ms(exitedAt - resumedAt, 0));
      Map<String, List<Long>> latencies = new TreeMap<>();
      for (Local l : samples) {
        latencies.computeIfAbsent(l.node(), n -> new ArrayList<>()).add((l.receivedNanos() - l.sentNanos()) / 1_000_000);
      }
      latencies.values().forEach(java.util.Collections::sort);
      System.out.printf("partition: reads on the majority: %d ok, %d failed; local views sampled (count, median and"
              + " max ms per node): %s, %d of them claiming a region that did not answer in time; the resumed"
              + " node's answers (ms after the resume: owns, status, hosts): %s%n",
          load.reads.ok.get(), load.reads.failures.size(),
          latencies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().size() + "/"
              + e.getValue().get(e.getValue().size() / 2) + "/" + e.getValue().get(e.getValue().size() - 1)).toList(),
          samples.stream().filter(l -> l.claims().stream().anyMatch(c -> c.endsWith("/unknown"))).count(),
          afterResume.stream().map(l -> (l.receivedNanos() - resumedAt) / 1_000_000 + ": " + l.owns() + " "
              + l.status() + " " + l.hosts()).toList());

      load.reads.assertNoReadFailed("no read sent to the majority may fail");
      assertTrue(load.reads.ok.get() > 100, "the load ran: " + load.reads.ok.get());
      assertTrue(downedAt > 0, "the majority never downed the frozen node within " + FREEZE);
      assertTrue(back.keySet().containsAll(victimClaims),
          "the frozen node's shards and singleton did not all start on the majority during the freeze: " + back);
      assertEquals(List.of(), doubleOwnership(samples), "no shard or singleton may have two owners at once");
      assertTrue(afterResume.stream().noneMatch(Local::owns), "the resumed node claimed ownership: " + afterResume);
      assertEquals(Main.EXIT_DOWNED, exitStatus, victim.name + " did not exit as downed; see " + victim.log());
      assertTrue(Files.readString(victim.log()).contains("this node was removed from the cluster (downed)"),
          "no ERROR line about the downing in " + victim.log());
    }

    // Its supervisor would start it again: it joins as a new incarnation and all three are Up.
    long restartedAt = System.nanoTime();
    victim.start();
    victim.awaitReady(Duration.ofSeconds(90));
    await(Duration.ofSeconds(60), () -> NODES.stream().allMatch(n -> upMembers(n) == 3),
        "the restarted node did not become an Up member on every node");
    Local again = local(victim, Duration.ofSeconds(5));
    System.out.printf("partition: restarted, %s was ready and Up everywhere %d ms later, uid %d -> %d%n",
        victim.name, (System.nanoTime() - restartedAt) / 1_000_000, oldUid, again.uid());
    assertEquals(victimAddress, again.address());
    assertNotEquals(oldUid, again.uid(), "the restarted node must be a new incarnation");
    assertEquals("Up", again.status());
    assertFalse(again.pauseGuardTripped());
  }

  // ---- ownership -----------------------------------------------------------------------------

  /** One answer of {@code GET /admin/cluster/local}, with when it was asked and answered (this JVM's clock). */
  record Local(String node, long sentNanos, long receivedNanos, String address, long uid, String status, boolean owns,
               boolean pauseGuardTripped, Set<String> hosts, Set<String> entities) {

    /** What the node claims: what it hosts while it says it owns. */
    Set<String> claims() {
      return owns ? hosts : Set.of();
    }
  }

  /**
   * Every case where a node claimed a shard or singleton inside an interval where another node
   * certainly owned it (two consecutive claims of that node, see the class comment).
   */
  static List<String> doubleOwnership(List<Local> samples) {
    Map<String, List<Local>> byNode = new HashMap<>();
    for (Local s : samples) {
      byNode.computeIfAbsent(s.node(), n -> new ArrayList<>()).add(s);
    }
    record Certain(String node, String claim, long from, long to) {}
    List<Certain> certain = new ArrayList<>();
    for (List<Local> list : byNode.values()) {
      list.sort((a, b) -> Long.compare(a.sentNanos(), b.sentNanos()));
      for (int i = 0; i + 1 < list.size(); i++) {
        for (String claim : list.get(i).claims()) {
          if (list.get(i + 1).claims().contains(claim)) {
            certain.add(new Certain(list.get(i).node(), claim, list.get(i).receivedNanos(), list.get(i + 1).sentNanos()));
          }
        }
      }
    }
    List<String> found = new ArrayList<>();
    for (Local s : samples) {
      for (String claim : s.claims()) {
        if (claim.endsWith("/unknown")) {
          continue; // the region did not answer in time: nothing to compare (counted apart)
        }
        for (Certain c : certain) {
          if (!c.node().equals(s.node()) && c.claim().equals(claim) && c.from() <= s.sentNanos()
              && s.receivedNanos() <= c.to()) {
            found.add(s.node() + " claimed " + claim + " while " + c.node() + " owned it");
          }
        }
      }
    }
    return found;
  }

  /**
   * Asks every node for its local view every {@link #SAMPLE_EVERY}, without waiting for the
   * previous answer (each given up after 10 s, at most {@link #IN_FLIGHT} outstanding per node):
   * a node that has just resumed gets fresh requests at once, and answers them as fast as it can.
   */
  private static final class Sampler implements AutoCloseable {

    private static final int IN_FLIGHT = 80;
    final ConcurrentLinkedQueue<Local> samples = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    Sampler(List<RiataProcess> nodes) {
      Map<RiataProcess, Semaphore> permits = new HashMap<>();
      Map<RiataProcess, HttpClient> clients = new HashMap<>();
      for (RiataProcess node : nodes) {
        permits.put(node, new Semaphore(IN_FLIGHT));
        clients.put(node, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build());
      }
      thread = new Thread(() -> {
        while (running.get()) {
          long next = System.nanoTime() + SAMPLE_EVERY.toNanos();
          for (RiataProcess node : nodes) {
            Semaphore p = permits.get(node);
            if (!p.tryAcquire()) {
              continue;
            }
            long sent = System.nanoTime();
            clients.get(node).sendAsync(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + node.operatorPort + "/admin/cluster/local"))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString())
                .whenComplete((r, e) -> {
                  p.release();
                  if (r != null && r.statusCode() == 200) {
                    samples.add(parse(node, sent, System.nanoTime(), r.body()));
                  }
                });
          }
          long wait = (next - System.nanoTime()) / 1_000_000;
          if (wait > 0) {
            try {
              Thread.sleep(wait);
            } catch (InterruptedException e) {
              return;
            }
          }
        }
      }, "local-view-sampler");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join(5000);
      Thread.sleep(10_500); // answers still on their way
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static Local local(RiataProcess node, Duration timeout) {
    return local(HTTP, node, timeout);
  }

  /** The node's local view, or null when it did not answer in time (frozen, or gone). */
  private static Local local(HttpClient client, RiataProcess node, Duration timeout) {
    long sent = System.nanoTime();
    HttpResponse<String> r = get(client, node, "/admin/cluster/local", timeout);
    long received = System.nanoTime();
    return r == null || r.statusCode() != 200 ? null : parse(node, sent, received, r.body());
  }

  private static Local parse(RiataProcess node, long sent, long received, String text) {
    JsonNode body = json(text);
    Set<String> hosts = new TreeSet<>();
    Set<String> entities = new TreeSet<>();
    body.get("shards").fields().forEachRemaining(type -> {
      if (type.getValue().isNull()) {
        hosts.add(type.getKey() + "/unknown"); // the region did not answer
        return;
      }
      for (JsonNode shard : type.getValue()) {
        hosts.add(type.getKey() + "/shard-" + shard.get("shard").asText());
        if (shard.get("entityIds").isArray()) { // null: the shard is hosted here but did not answer
          shard.get("entityIds").forEach(id -> entities.add(type.getKey() + "/" + id.asText()));
        }
      }
    });
    for (JsonNode s : body.get("singletons")) {
      hosts.add("singleton/" + s.get("name").asText());
    }
    return new Local(node.name, sent, received, body.get("address").asText(), body.get("uid").asLong(),
        body.get("status").asText(), body.get("owns").asBoolean(), body.get("pauseGuard").get("tripped").asBoolean(),
        hosts, entities);
  }

  private static int upMembers(RiataProcess node) {
    HttpResponse<String> r = get(HTTP, node, "/admin/cluster/members", Duration.ofSeconds(5));
    if (r == null || r.statusCode() != 200) {
      return -1;
    }
    int up = 0;
    for (JsonNode m : json(r.body()).get("members")) {
      up += m.get("status").asText().equals("Up") && m.get("reachable").asBoolean() ? 1 : 0;
    }
    return up;
  }

  /** How {@code node} sees the member at {@code address}: "Up reachable", "Up unreachable", "Down ...", "absent"; null: no answer. */
  private static String memberStatus(RiataProcess node, String address) {
    HttpResponse<String> r = get(HTTP, node, "/admin/cluster/members", Duration.ofSeconds(1));
    if (r == null || r.statusCode() != 200) {
      return null;
    }
    for (JsonNode m : json(r.body()).get("members")) {
      if (m.get("address").asText().equals(address)) {
        return m.get("status").asText() + (m.get("reachable").asBoolean() ? " reachable" : " unreachable");
      }
    }
    return "absent";
  }

  private static HttpResponse<String> get(HttpClient client, RiataProcess node, String path, Duration timeout) {
    try {
      return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.operatorPort + path))
          .timeout(timeout).GET().build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static String ms(long nanos, long at) {
    return at < 0 ? "never" : nanos / 1_000_000 + " ms";
  }

  private static void await(Duration timeout, BooleanSupplier condition, String failure) throws InterruptedException {
    long until = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < until) {
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(failure);
  }
}
