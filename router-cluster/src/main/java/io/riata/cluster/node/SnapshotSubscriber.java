package io.riata.cluster.node;

import io.riata.cluster.pool.HeadProbe;
import io.riata.cluster.pool.ProviderPool;
import io.riata.core.config.ChainConfig;
import io.riata.core.config.ProviderConfig;
import io.riata.core.health.HeadProbeSchedule;
import io.riata.core.health.StandInHeads;
import io.riata.core.selection.ChainSnapshot;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * Node-local: keeps each chain's runtime supplied with the chain's state.
 *
 * <ul>
 *   <li>Subscribes to every chain's snapshot topic and swaps each new snapshot in.
 *   <li>Until a chain has its first snapshot it asks the pool directly (which also starts the pool
 *       entity), so a node that joins or restarts does not wait for the next change.
 *   <li>Stands in for a silent pool. A pool republishes every second; when a chain has had no
 *       snapshot for {@code standInAfter} (the pool's node died and the pool has not started
 *       elsewhere yet, which takes the split-brain resolver's {@code stable-after} and more), this
 *       node probes the chain's providers itself, at the chain's probe interval with one probe in
 *       flight per provider, and routes by what it learns ({@link StandInHeads}). The first
 *       snapshot from the pool ends it.
 * </ul>
 *
 * <p>One actor does all three so that a stand-in view never overwrites a newer snapshot.
 */
public final class SnapshotSubscriber {

  public sealed interface Command {}

  private record Received(ChainSnapshot snapshot) implements Command {}

  private enum AskMissing implements Command {
    INSTANCE
  }

  private enum CheckSilence implements Command {
    INSTANCE
  }

  private record ProbeRound(String chain) implements Command {}

  private record Probed(String chain, long standIn, String providerId, long head, Throwable failure)
      implements Command {}

  /** How often each chain's snapshot age is checked against {@code standInAfter}. */
  static final Duration SILENCE_CHECK = Duration.ofMillis(100);

  /** One chain's stand-in while it lasts. */
  private static final class StandIn {
    final long id;
    final long sinceNanos;
    final StandInHeads heads;
    final Set<String> probing = new HashSet<>();
    int answers;
    int failures;

    StandIn(long id, long sinceNanos, StandInHeads heads) {
      this.id = id;
      this.sinceNanos = sinceNanos;
      this.heads = heads;
    }
  }

  /** As the node runs it: a missing snapshot is asked of the chain's sharded pool. */
  public static Behavior<Command> create(NodeRuntime node, Duration askInterval, HeadProbe probe,
                                         Duration standInAfter, LongSupplier nanoClock) {
    return create(node, askInterval,
        (system, chain, replyTo) -> ProviderPool.entityRef(system, chain).tell(new ProviderPool.GetSnapshot(replyTo)),
        probe, standInAfter, nanoClock);
  }

  /** Asks a chain's pool for its snapshot. */
  @FunctionalInterface
  public interface PoolAsker {
    void ask(ActorSystem<?> system, String chain, ActorRef<ChainSnapshot> replyTo);
  }

  /**
   * @param askPool      asks a chain's pool for its snapshot, for chains that have none yet
   * @param probe        asks a provider for its head (the same probe the pools use)
   * @param standInAfter snapshot age after which this node probes on its own; null never
   */
  public static Behavior<Command> create(NodeRuntime node, Duration askInterval, PoolAsker askPool, HeadProbe probe,
                                         Duration standInAfter, LongSupplier nanoClock) {
    return Behaviors.setup(
        ctx -> {
          ActorRef<ChainSnapshot> adapter = ctx.messageAdapter(ChainSnapshot.class, Received::new);
          for (ChainRuntime chain : node.chains()) {
            String name = chain.config().name();
            ActorRef<Topic.Command<ChainSnapshot>> topic =
                ctx.spawn(Topic.create(ChainSnapshot.class, ProviderPool.snapshotTopic(name)), "topic-" + name);
            topic.tell(Topic.subscribe(adapter));
          }
          return Behaviors.withTimers(
              timers -> {
                timers.startTimerWithFixedDelay(AskMissing.INSTANCE, Duration.ZERO, askInterval);
                if (standInAfter != null) {
                  timers.startTimerWithFixedDelay(CheckSilence.INSTANCE, SILENCE_CHECK);
                }
                return new SnapshotSubscriber(ctx, timers, node, askPool, probe, standInAfter, nanoClock, adapter)
                    .behavior();
              });
        });
  }

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final NodeRuntime node;
  private final PoolAsker askPool;
  private final HeadProbe probe;
  private final Duration standInAfter;
  private final LongSupplier nanoClock;
  private final ActorRef<ChainSnapshot> adapter;
  private final Map<String, StandIn> standIns = new HashMap<>();
  private long standInIds;

  private SnapshotSubscriber(ActorContext<Command> ctx, TimerScheduler<Command> timers, NodeRuntime node,
                             PoolAsker askPool, HeadProbe probe, Duration standInAfter, LongSupplier nanoClock,
                             ActorRef<ChainSnapshot> adapter) {
    this.ctx = ctx;
    this.timers = timers;
    this.node = node;
    this.askPool = askPool;
    this.probe = probe;
    this.standInAfter = standInAfter;
    this.nanoClock = nanoClock;
    this.adapter = adapter;
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessage(Received.class, this::onReceived)
        .onMessageEquals(AskMissing.INSTANCE, this::onAskMissing)
        .onMessageEquals(CheckSilence.INSTANCE, this::onCheckSilence)
        .onMessage(ProbeRound.class, this::onProbeRound)
        .onMessage(Probed.class, this::onProbed)
        .build();
  }

  /**
   * A pool's snapshot ends a stand-in, unless the pool is a new incarnation that has no chain head
   * yet (it holds heads back for its first probes) while this node has one: then the stand-in goes
   * on, built on the new snapshot, until the pool publishes a chain head.
   */
  private Behavior<Command> onReceived(Received msg) {
    ChainSnapshot snapshot = msg.snapshot();
    ChainRuntime chain = node.chain(snapshot.chain()).orElse(null);
    if (chain == null) {
      return Behaviors.same();
    }
    String name = chain.config().name();
    StandIn standIn = standIns.get(name);
    if (standIn != null && snapshot.chainHead() < 0 && standIn.heads.chainHead(snapshot) >= 0) {
      chain.acceptSnapshot(snapshot, standIn.heads.derive(snapshot));
      return Behaviors.same();
    }
    chain.acceptSnapshot(snapshot);
    if (standIn != null) {
      standIns.remove(name);
      timers.cancel(roundKey(name));
      ctx.getLog().info("chain {}: its pool publishes again; this node stops probing heads itself after {} ms"
          + " ({} answers, {} failures)", name, (nanoClock.getAsLong() - standIn.sinceNanos) / 1_000_000,
          standIn.answers, standIn.failures);
    }
    return Behaviors.same();
  }

  private Behavior<Command> onAskMissing() {
    for (ChainRuntime chain : node.chains()) {
      if (!chain.hasPoolSnapshot()) {
        askPool.ask(ctx.getSystem(), chain.config().name(), adapter);
      }
    }
    return Behaviors.same();
  }

  private Behavior<Command> onCheckSilence() {
    for (ChainRuntime chain : node.chains()) {
      String name = chain.config().name();
      long age = chain.snapshotAgeMillis();
      // Only a chain that had a snapshot: before the first one the node is not ready anyway.
      if (age < standInAfter.toMillis() || standIns.containsKey(name)) {
        continue;
      }
      long now = nanoClock.getAsLong();
      StandIn standIn = new StandIn(++standInIds, now, new StandInHeads(chain.config(), chain.poolSnapshot(), now));
      standIns.put(name, standIn);
      chain.standInStarted(now);
      Duration every = HeadProbeSchedule.interval(chain.config().blockTime());
      ctx.getLog().warn("chain {}: no snapshot from its pool for {} ms; this node probes the chain's heads itself"
          + " every {} ms until the pool publishes again", name, age, every.toMillis());
      timers.startTimerWithFixedDelay(roundKey(name), new ProbeRound(name), Duration.ZERO, every);
    }
    return Behaviors.same();
  }

  private static String roundKey(String chain) {
    return "stand-in-" + chain;
  }

  private Behavior<Command> onProbeRound(ProbeRound msg) {
    StandIn standIn = standIns.get(msg.chain());
    ChainRuntime chain = node.chain(msg.chain()).orElse(null);
    if (standIn == null || chain == null) {
      return Behaviors.same();
    }
    ChainConfig config = chain.config();
    for (ProviderConfig p : config.providers()) {
      if (!standIn.probing.add(p.id())) {
        continue; // the previous probe has not come back: one in flight per provider
      }
      long id = standIn.id;
      ctx.pipeToSelf(probe.blockNumber(config, p),
          (head, failure) -> new Probed(msg.chain(), id, p.id(), failure == null ? head : -1, failure));
    }
    return Behaviors.same();
  }

  private Behavior<Command> onProbed(Probed msg) {
    StandIn standIn = standIns.get(msg.chain());
    ChainRuntime chain = node.chain(msg.chain()).orElse(null);
    if (standIn == null || standIn.id != msg.standIn() || chain == null) {
      return Behaviors.same(); // from a stand-in that has ended
    }
    standIn.probing.remove(msg.providerId());
    if (msg.failure() == null && msg.head() >= 0) {
      standIn.answers++;
      standIn.heads.answered(msg.providerId(), msg.head(), nanoClock.getAsLong());
    } else {
      standIn.failures++;
      standIn.heads.failed(msg.providerId());
      // The pool's breakers cannot hear about it now: count it in this node's own breaker view.
      chain.breakers().onOutcome(msg.providerId(), false);
    }
    chain.acceptStandIn(standIn.heads.derive(chain.poolSnapshot()));
    return Behaviors.same();
  }
}
