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
import io.riata.cluster.node.PauseGuard;
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
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.typed.Down;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.JoinSeedNodes;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place that starts a node's cluster side: entities, snapshot subscription, reports. */
public final class RiataCluster {

  private static final Logger LOG = LoggerFactory.getLogger(RiataCluster.class);

  private RiataCluster() {}

  /** This node's id in reports and reload messages: its address and the incarnation's uid. */
  public static String nodeId(ActorSystem<?> system) {
    Cluster cluster = Cluster.get(system);
    return cluster.selfMember().uniqueAddress().address().toString()
        + "#" + cluster.selfMember().uniqueAddress().longUid();
  }

  /**
   * Starts this node's part of the cluster. Seed nodes come from {@code riata.cluster.seed-nodes}
   * ({@code RIATA_SEED_NODES}, comma-separated) or Pekko's own {@code pekko.cluster.seed-nodes};
   * with neither the node joins itself: the single-node cluster is the default deployment, not a
   * special case.
   */
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
    PauseGuard[] self = new PauseGuard[1];
    PauseGuard guard = new PauseGuard(settings.maxPause(), System.nanoTime(),
        pauseNanos -> downAfterPause(system, self[0], pauseNanos, settings.maxPause()));
    self[0] = guard;
    guard.start();
    system.getWhenTerminated().thenRun(guard::close);
    NodeRuntime node = new NodeRuntime(chains, settings, guard);
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
    ActorRef<EventAggregator.Command> aggregator = EventAggregator.init(system, settings.dashboard(), node.singletons());
    system.systemActorOf(RollupReporter.create(node, nodeId, settings.dashboard().interval(), aggregator),
        "riata-rollups", Props.empty());
    system.systemActorOf(DashboardHub.create(dashboard), "riata-dashboard-hub", Props.empty());
    return node;
  }

  /**
   * What a node does after its JVM stood still for longer than the pause guard allows: it downs
   * itself. Downing (not leaving) because the others may already run its entities: there is
   * nothing to hand over. Pekko then stops the node's entities and singleton and terminates the
   * actor system ({@code run-coordinated-shutdown-when-down}).
   */
  private static void downAfterPause(ActorSystem<?> system, PauseGuard guard, long pauseNanos, Duration maxPause) {
    Cluster cluster = Cluster.get(system);
    boolean alone = true;
    for (Member m : cluster.state().getMembers()) {
      alone &= m.uniqueAddress().equals(cluster.selfMember().uniqueAddress());
    }
    if (alone) {
      // A cluster of one (the default deployment; a laptop that slept): nobody can have downed it.
      LOG.warn("this JVM stood still for {} ms; it is alone in its cluster, so nothing moved meanwhile: it carries on",
          pauseNanos / 1_000_000);
      guard.forgive();
      return;
    }
    LOG.error("this JVM stood still for {} ms, longer than riata.cluster.pause-guard.max-pause ({} ms): the other"
            + " nodes may have downed {} and started its entities elsewhere meanwhile. It claims nothing from now on"
            + " and downs itself; start it again as a new incarnation", pauseNanos / 1_000_000, maxPause.toMillis(),
        nodeId(system));
    cluster.manager().tell(new Down(cluster.selfMember().address()));
  }
}
