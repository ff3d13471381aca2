package io.riata.http.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.riata.http.sim.Fault;
import io.riata.http.sim.SimSettings;
import io.riata.http.sim.SimulatedProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Three simulated providers in this JVM (p1, p2, p3: one block a second, 1 ms to answer unless
 * told otherwise, 429s with {@code Retry-After: 5}) behind one chain, {@code chaos}, routed
 * round-robin so that every provider gets a share of the reads, and one or more Riata nodes in
 * front as child JVMs.
 */
final class ProviderBed implements AutoCloseable {

  static final String CHAIN = "chaos";
  static final long CHAIN_ID = 7_707;
  static final int MAX_LAG_BLOCKS = 3;
  static final Duration BASE_LATENCY = Duration.ofMillis(1);
  static final Duration RETRY_AFTER = Duration.ofSeconds(5);

  final List<SimulatedProvider> sims = new ArrayList<>();
  final List<ChaosNode> nodes = new ArrayList<>();
  final Path chains;
  /** How long every provider takes to answer when healthy. */
  final Duration latency;

  private ProviderBed(Path chains, Duration latency) {
    this.chains = chains;
    this.latency = latency;
  }

  /** Starts the providers and {@code nodeCount} nodes forming one cluster, and waits until all are ready. */
  static ProviderBed start(Path jar, Path dir, String label, int nodeCount, Map<String, String> env)
      throws IOException, InterruptedException {
    return start(jar, dir, label, nodeCount, env, BASE_LATENCY, List.of());
  }

  /**
   * The same with providers that take {@code latency} to answer, each with {@code providerFields}
   * added to its entry in chains.yml (e.g. {@code "max_concurrency: 2"}).
   */
  static ProviderBed start(Path jar, Path dir, String label, int nodeCount, Map<String, String> env,
                           Duration latency, List<String> providerFields) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    StringBuilder yaml = new StringBuilder("chains:\n  " + CHAIN + ":\n    chain_id: " + CHAIN_ID
        + "\n    block_time: 1s\n    max_lag_blocks: " + MAX_LAG_BLOCKS + "\n    strategy: round-robin\n    providers:\n");
    List<SimulatedProvider> started = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      started.add(SimulatedProvider.start(SimSettings.healthy("p" + i, CHAIN_ID)
          .withLatency(latency).withRetryAfter(RETRY_AFTER)));
      yaml.append("      - id: p").append(i).append("\n        http_url: ").append(started.get(i - 1).httpUrl()).append('\n');
      providerFields.forEach(field -> yaml.append("        ").append(field).append('\n'));
    }
    Path chains = dir.resolve(label + "-chains.yml");
    Files.writeString(chains, yaml);
    ProviderBed bed = new ProviderBed(chains, latency);
    bed.sims.addAll(started);
    try {
      List<Integer> clusterPorts = new ArrayList<>();
      for (int i = 0; i < nodeCount; i++) {
        clusterPorts.add(ChaosNode.freePort());
      }
      String seeds = nodeCount == 1 ? "" : clusterPorts.stream().limit(2).map(ChaosNode::address)
          .collect(Collectors.joining(","));
      for (int i = 0; i < nodeCount; i++) {
        Map<String, String> nodeEnv = new java.util.HashMap<>(env);
        nodeEnv.put("RIATA_SEED_NODES", seeds);
        bed.nodes.add(new ChaosNode(label + "-" + (i + 1), jar, chains, clusterPorts.get(i), nodeEnv, dir).start());
      }
      for (ChaosNode node : bed.nodes) {
        node.awaitReady(Duration.ofSeconds(120));
      }
      bed.awaitHealthy(Duration.ofSeconds(60));
    } catch (IOException | InterruptedException | RuntimeException e) {
      bed.close();
      throw e;
    }
    return bed;
  }

  SimulatedProvider sim(String name) {
    return sims.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
  }

  /** Every provider back to normal, breakers reset, and wait until every node sees all three healthy. */
  void heal() throws IOException, InterruptedException {
    long head = sims.get(0).head();
    for (SimulatedProvider sim : sims) {
      sim.fault(Fault.NONE);
      sim.latency(latency);
      sim.errorEvery(0);
      sim.revive();
      sim.head(head);
    }
    ChaosNode any = nodes.stream().filter(ChaosNode::alive).findFirst().orElseThrow();
    for (SimulatedProvider sim : sims) {
      any.adminPost("/admin/providers/" + sim.name() + "/breaker/reset");
    }
    awaitHealthy(Duration.ofSeconds(60));
  }

  private void awaitHealthy(Duration timeout) throws InterruptedException {
    long until = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < until) {
      boolean all = true;
      for (ChaosNode node : nodes) {
        for (SimulatedProvider sim : sims) {
          all &= node.alive() && healthy(node.admin("/admin/providers/" + sim.name()));
        }
      }
      if (all) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("providers not healthy on every node within " + timeout);
  }

  /**
   * Whether a node's view of a provider ({@code GET /admin/providers/{id}}) keeps it out of
   * ordinary routing: breaker not closed (cluster-wide or on this node), tripped locally, drained,
   * rogue, lagging, or cooling down after a 429.
   */
  static boolean excluded(JsonNode provider) {
    if (provider == null) {
      return false;
    }
    JsonNode cluster = provider.path("cluster");
    JsonNode local = provider.path("thisNode");
    return !"CLOSED".equals(cluster.path("breaker").asText())
        || !"CLOSED".equals(local.path("breaker").asText())
        || local.path("trippedLocally").asBoolean()
        || cluster.path("drained").asBoolean()
        || cluster.path("rogue").asBoolean()
        || cluster.path("lag").asLong() > MAX_LAG_BLOCKS
        || cluster.path("rateLimitedUntilMillis").asLong() > System.currentTimeMillis();
  }

  static boolean healthy(JsonNode provider) {
    return provider != null && !excluded(provider) && provider.path("cluster").path("lag").asLong() >= 0;
  }

  @Override
  public void close() {
    for (ChaosNode node : nodes) {
      try {
        node.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    sims.forEach(SimulatedProvider::close);
  }
}
