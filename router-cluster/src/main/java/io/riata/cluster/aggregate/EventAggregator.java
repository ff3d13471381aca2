package io.riata.cluster.aggregate;

import io.riata.cluster.CborSerializable;
import io.riata.cluster.node.ClusterSettings;
import io.riata.cluster.node.LocalSingletons;
import io.riata.core.rollup.ChainRollup;
import io.riata.core.rollup.ClusterRollup;
import io.riata.core.rollup.NodeRollup;
import io.riata.core.rollup.Rollups;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import io.riata.cluster.mailbox.MeteredMailbox;
import org.apache.pekko.actor.typed.MailboxSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * Cluster singleton: every node sends it one {@link NodeRollup} per interval; on each tick it
 * merges what arrived since the previous tick into one {@link ClusterRollup} and publishes it on
 * the {@link #TOPIC} topic, where every node's {@code DashboardHub} picks it up.
 *
 * <p>State is lost when the singleton moves: rollups that arrived after the last tick of the old
 * incarnation are not published (at most one interval of counts). Provider states and heads are
 * rebuilt from the first rollups the new incarnation receives; dashboards keep showing the last
 * rollup they got meanwhile.
 */
public final class EventAggregator extends AbstractBehavior<EventAggregator.Command> {

  public sealed interface Command extends CborSerializable {}

  /** One node's traffic in one interval. */
  public record SubmitRollup(NodeRollup rollup) implements Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  /** What the aggregator publishes on {@link #TOPIC} every tick. */
  public record RollupPublished(ClusterRollup rollup) implements CborSerializable {}

  public static final String TOPIC = "riata-dashboard";
  public static final String SINGLETON_NAME = "riata-event-aggregator";

  /** Starts the singleton manager on this node and returns the proxy to send rollups to. */
  public static ActorRef<Command> init(ActorSystem<?> system, ClusterSettings.Dashboard settings) {
    return init(system, settings, new LocalSingletons());
  }

  /** As {@link #init(ActorSystem, ClusterSettings.Dashboard)}; the aggregator marks itself in {@code local} while it runs here. */
  public static ActorRef<Command> init(ActorSystem<?> system, ClusterSettings.Dashboard settings,
                                       LocalSingletons local) {
    return ClusterSingleton.get(system).init(
        SingletonActor.of(
                Behaviors.supervise(create(settings, System::currentTimeMillis, local))
                    .onFailure(SupervisorStrategy.restart()),
                SINGLETON_NAME)
            .withProps(MailboxSelector.fromConfig(MeteredMailbox.AGGREGATOR)));
  }

  public static Behavior<Command> create(ClusterSettings.Dashboard settings, LongSupplier clock) {
    return create(settings, clock, new LocalSingletons());
  }

  public static Behavior<Command> create(ClusterSettings.Dashboard settings, LongSupplier clock,
                                         LocalSingletons local) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.interval());
      return new EventAggregator(ctx, settings, clock, local);
    }));
  }

  private final ClusterSettings.Dashboard settings;
  private final LongSupplier clock;
  private final ActorRef<Topic.Command<RollupPublished>> topic;
  private final String host;
  private final long since;
  private final LocalSingletons local;
  private final List<NodeRollup> pending = new ArrayList<>();
  /** Every chain's latest merged rollup, so a tick that no node reported keeps the states. */
  private final Map<String, ChainRollup> lastByChain = new LinkedHashMap<>();
  private long seq;
  private long lastTickMillis;

  private EventAggregator(ActorContext<Command> ctx, ClusterSettings.Dashboard settings, LongSupplier clock,
                          LocalSingletons local) {
    super(ctx);
    this.local = local;
    this.settings = settings;
    this.clock = clock;
    this.topic = ctx.spawn(Topic.create(RollupPublished.class, TOPIC), "topic");
    this.host = Cluster.get(ctx.getSystem()).selfMember().address().toString();
    this.since = clock.getAsLong();
    this.lastTickMillis = since;
    local.started(SINGLETON_NAME, since);
    ctx.getLog().info("event aggregator started on {}", host);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(SubmitRollup.class, this::onSubmitRollup)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onSignal(PostStop.class, signal -> onStopped())
        .onSignal(PreRestart.class, signal -> onStopped())
        .build();
  }

  private Behavior<Command> onStopped() {
    local.stopped(SINGLETON_NAME);
    return this;
  }

  private Behavior<Command> onSubmitRollup(SubmitRollup msg) {
    pending.add(msg.rollup());
    return this;
  }

  private Behavior<Command> onTick() {
    long now = clock.getAsLong();
    if (pending.isEmpty() && lastByChain.isEmpty()) {
      // A new incarnation that has heard from no node yet: publishing an empty rollup would wipe
      // the dashboards, which keep showing the last one meanwhile.
      lastTickMillis = now;
      return this;
    }
    List<ChainRollup> parts = new ArrayList<>();
    TreeSet<String> reporting = new TreeSet<>();
    for (NodeRollup r : pending) {
      parts.addAll(r.chains());
      reporting.add(r.nodeId());
    }
    pending.clear();
    Map<String, ChainRollup> merged = new LinkedHashMap<>();
    for (ChainRollup c : Rollups.merge(parts, settings.samples())) {
      merged.put(c.chain(), c);
    }
    List<ChainRollup> chains = new ArrayList<>();
    for (Map.Entry<String, ChainRollup> last : lastByChain.entrySet()) {
      ChainRollup fresh = merged.remove(last.getKey());
      chains.add(fresh != null ? fresh : Rollups.withoutTraffic(last.getValue()));
    }
    chains.addAll(merged.values());
    for (ChainRollup c : chains) {
      lastByChain.put(c.chain(), c);
    }
    List<ClusterRollup.Member> members = new ArrayList<>();
    for (Member m : Cluster.get(getContext().getSystem()).state().getMembers()) {
      members.add(new ClusterRollup.Member(m.address().toString(),
          m.status().toString().toLowerCase(java.util.Locale.ROOT)));
    }
    seq++;
    ClusterRollup rollup = new ClusterRollup(ClusterRollup.SCHEMA_VERSION, seq, now, now - lastTickMillis, host,
        since, members, List.copyOf(reporting), chains);
    lastTickMillis = now;
    topic.tell(Topic.publish(new RollupPublished(rollup)));
    return this;
  }
}
