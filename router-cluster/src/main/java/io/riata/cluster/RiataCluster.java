package io.riata.cluster;

import io.riata.cluster.aggregate.EventAggregator;
import io.riata.cluster.aggregate.RollupReporter;
import io.riata.cluster.breaker.CircuitBreaker;
import io.riata.cluster.dashboard.DashboardHub;
import io.riata.core.rollup.ClusterRollup;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import io.riata.cluster.node.ClusterSettings;
import io.riata.cluster.node.ConfigFollower;
import io.riata.cluster.node.NodeRuntime;
import io.riata.cluster.node.ReportBatcher;
import io.riata.cluster.node.SnapshotSubscriber;
import io.riata.cluster.pool.HeadProbe;
import io.riata.cluster.pool.PoolSettings;
import io.riata.cluster.pool.ProviderPool;
import io.riata.core.config.ChainsConfig;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.JoinSeedNodes;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;

/** The one place that starts a node's cluster side: entities, snapshot subscription, reports. */
public final class RiataCluster {

  private RiataCluster() {}

  /**
   * Starts this node's part of the cluster. Seed nodes come from {@code riata.cluster.seed-nodes}
   * ({@code RIATA_SEED_NODES}, comma-separated) or Pekko's own {@code pekko.cluster.seed-nodes};
   * with neither the node joins itself: the single-node cluster is the default deployment, not a
   * special case.
   */
  /** This node's id in reports and reload messages: its address and the incarnation's uid. */
  public static String nodeId(ActorSystem<?> system) {
    Cluster cluster = Cluster.get(system);
    return cluster.selfMember().uniqueAddress().address().toString()
        + "#" + cluster.selfMember().uniqueAddress().longUid();
  }

  public static NodeRuntime start(ActorSystem<?> system, ChainsConfig chains, HeadProbe probe) {
    return start(system, chains, probe, rollup -> {});
  }

  /**
   * As {@link #start(ActorSystem, ChainsConfig, HeadProbe)}, and hands every cluster rollup the
   * dashboard aggregator publishes to {@code dashboard} (see {@link DashboardHub}).
   */
  public static NodeRuntime start(ActorSystem<?> system, ChainsConfig chains, HeadProbe probe,
                                  Consumer<ClusterRollup> dashboard) {
    ClusterSettings settings = ClusterSettings.from(system.settings().config());
    Cluster cluster = Cluster.get(system);
    List<Address> seeds = settings.seedNodes().stream().map(AddressFromURIString::parse).toList();
    if (settings.bootstrap().equals("kubernetes")) {
      // Pods find each other through the Kubernetes API and form (or join) the cluster.
      var classic = Adapter.toClassic(system);
      PekkoManagement.get(classic).start();
      ClusterBootstrap.get(classic).start();
    } else if (!settings.bootstrap().equals("none")) {
      throw new IllegalArgumentException(
          "riata.cluster.bootstrap must be none or kubernetes, got " + settings.bootstrap());
    } else if (!seeds.isEmpty()) {
      cluster.manager().tell(new JoinSeedNodes(seeds));
    } else if (system.settings().config().getStringList("pekko.cluster.seed-nodes").isEmpty()) {
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
    NodeRuntime node = new NodeRuntime(chains, settings);
    CircuitBreaker.init(system, settings.breaker(), System::nanoTime);
    ProviderPool.init(
        system,
        new PoolSettings(
            node::config,
            probe,
            settings.publishCoalesce(),
            settings.republishInterval(),
            System::nanoTime));
    String nodeId = nodeId(system);
    // The replicator starts lazily; pools read and write drain flags through it from their start.
    DistributedData.get(system);
    system.systemActorOf(SnapshotSubscriber.create(node, Duration.ofMillis(500), probe,
        settings.standInAfter(), System::nanoTime), "riata-snapshots", Props.empty());
    system.systemActorOf(ConfigFollower.create(node, nodeId, System.getenv()), "riata-config", Props.empty());
    system.systemActorOf(node.deadLetterCounter(), "riata-dead-letters", Props.empty());
    system.systemActorOf(ReportBatcher.create(node, nodeId, settings.reportInterval()), "riata-reports", Props.empty());
    ActorRef<EventAggregator.Command> aggregator = EventAggregator.init(system, settings.dashboard());
    system.systemActorOf(RollupReporter.create(node, nodeId, settings.dashboard().interval(), aggregator),
        "riata-rollups", Props.empty());
    system.systemActorOf(DashboardHub.create(dashboard), "riata-dashboard-hub", Props.empty());
    return node;
  }
}
