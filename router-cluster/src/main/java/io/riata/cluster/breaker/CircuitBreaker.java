package io.riata.cluster.breaker;

import io.riata.cluster.CborSerializable;
import io.riata.cluster.pool.ProviderPool;
import io.riata.core.breaker.BreakerPhase;
import io.riata.core.breaker.BreakerSettings;
import io.riata.core.breaker.BreakerState;
import io.riata.core.breaker.BreakerStateMachine;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import io.riata.cluster.mailbox.MeteredMailbox;
import org.apache.pekko.actor.typed.MailboxSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * The authority for one breaker: one entity per chain x provider x transport, wherever it runs in
 * the cluster. Nodes never ask it per request; the pool forwards outcome deltas from the nodes'
 * batched reports and the pool's own head probes, and every phase change goes back to the pool
 * (which folds it into the chain snapshot) and onto the events topic.
 *
 * <p>State is lost when the entity moves; it restarts closed and the next reports and probes
 * rebuild it within one report interval.
 */
public final class CircuitBreaker extends AbstractBehavior<CircuitBreaker.Command> {

  public sealed interface Command extends CborSerializable {}

  /**
   * Outcomes seen since the previous report from one source (a node, or the pool's probes).
   *
   * @param successes        healthy outcomes in the interval
   * @param trailingFailures failures after the last healthy outcome, in order, the last
   *                         {@code trailingTimeouts} of them timeouts
   */
  public record RecordOutcomes(
      String source, long successes, int trailingFailures, int trailingTimeouts, String cause)
      implements Command {}

  /** Replies with the current phase, as a {@link BreakerTransitioned} from and to the same phase. */
  public record GetState(ActorRef<BreakerTransitioned> replyTo) implements Command {}

  /**
   * Operator override: {@code OPEN} for {@code openFor} (the longest cool-down when {@code null}),
   * then half-open as usual; or {@code CLOSED}. Replies with the transition (from and to equal
   * when nothing changed).
   */
  public record Force(BreakerPhase phase, Duration openFor, ActorRef<BreakerTransitioned> replyTo)
      implements Command {}

  /** Operator reset: closed, failure streak and back-off cleared. Replies like {@link Force}. */
  public record Reset(ActorRef<BreakerTransitioned> replyTo) implements Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY =
      EntityTypeKey.create(Command.class, "CircuitBreaker");

  /** Topic of every breaker's transitions, for observers. */
  public static final String EVENTS_TOPIC = "riata-breaker-events";

  public static final String HTTP = "http";

  public static String entityId(String chain, String providerId, String transport) {
    return chain + "|" + providerId + "|" + transport;
  }

  public static void init(
      org.apache.pekko.actor.typed.ActorSystem<?> system,
      BreakerSettings settings,
      LongSupplier nanoClock) {
    ClusterSharding.get(system)
        .init(
            Entity.of(ENTITY_TYPE_KEY, ctx -> create(ctx.getEntityId(), settings, nanoClock))
                .withEntityProps(MailboxSelector.fromConfig(MeteredMailbox.ENTITY)));
  }

  public static Behavior<Command> create(
      String entityId, BreakerSettings settings, LongSupplier nanoClock) {
    String[] parts = entityId.split("\\|", 3);
    if (parts.length != 3) {
      throw new IllegalArgumentException("breaker entity id must be chain|provider|transport: " + entityId);
    }
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    new CircuitBreaker(
                        ctx, timers, parts[0], parts[1], parts[2], settings, nanoClock)));
  }

  private final TimerScheduler<Command> timers;
  private final String chain;
  private final String providerId;
  private final String transport;
  private final BreakerSettings settings;
  private final BreakerStateMachine machine;
  private final LongSupplier nanoClock;
  private final ActorRef<Topic.Command<BreakerTransitioned>> events;
  private BreakerState state;

  private CircuitBreaker(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      String chain,
      String providerId,
      String transport,
      BreakerSettings settings,
      LongSupplier nanoClock) {
    super(ctx);
    this.timers = timers;
    this.chain = chain;
    this.providerId = providerId;
    this.transport = transport;
    this.settings = settings;
    this.machine = new BreakerStateMachine(settings);
    this.nanoClock = nanoClock;
    this.events = ctx.spawn(Topic.create(BreakerTransitioned.class, EVENTS_TOPIC), "events");
    this.state = machine.initial();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(RecordOutcomes.class, this::onRecordOutcomes)
        .onMessage(GetState.class, this::onGetState)
        .onMessage(Force.class, this::onForce)
        .onMessage(Reset.class, this::onReset)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .build();
  }

  private Behavior<Command> onRecordOutcomes(RecordOutcomes msg) {
    long now = nanoClock.getAsLong();
    BreakerPhase before = state.phase();
    // Enough successes to close a half-open breaker; more would change nothing.
    long successes = Math.min(msg.successes(), settings.halfOpenPermits() + 1L);
    for (long i = 0; i < successes; i++) {
      state = machine.onSuccess(state, now).state();
    }
    int plain = Math.max(0, msg.trailingFailures() - msg.trailingTimeouts());
    for (int i = 0; i < plain; i++) {
      state = machine.onFailure(state, false, msg.cause(), now).state();
    }
    for (int i = 0; i < msg.trailingTimeouts(); i++) {
      state = machine.onFailure(state, true, msg.cause(), now).state();
    }
    afterChange(before, state.phase() == BreakerPhase.OPEN ? msg.cause() : "healthy answers");
    return this;
  }

  private Behavior<Command> onTick() {
    BreakerPhase before = state.phase();
    state = machine.onTick(state, nanoClock.getAsLong()).state();
    afterChange(before, "cool-down over");
    return this;
  }

  private Behavior<Command> onForce(Force msg) {
    if (msg.phase() == BreakerPhase.HALF_OPEN) {
      msg.replyTo().tell(event(state.phase(), "half-open cannot be forced"));
      return this;
    }
    BreakerPhase before = state.phase();
    long now = nanoClock.getAsLong();
    state =
        msg.phase() == BreakerPhase.OPEN
            ? machine.forceOpen(state, msg.openFor(), now).state()
            : machine.forceClose(state).state();
    String cause = msg.phase() == BreakerPhase.OPEN ? "forced open by operator" : "forced closed by operator";
    afterChange(before, cause);
    msg.replyTo().tell(transition(before, state.phase(), cause));
    return this;
  }

  private Behavior<Command> onReset(Reset msg) {
    BreakerPhase before = state.phase();
    state = machine.reset(state).state();
    afterChange(before, "reset by operator");
    msg.replyTo().tell(transition(before, state.phase(), "reset by operator"));
    return this;
  }

  private Behavior<Command> onGetState(GetState msg) {
    msg.replyTo().tell(event(state.phase(), "current state"));
    return this;
  }

  private void afterChange(BreakerPhase before, String cause) {
    BreakerPhase after = state.phase();
    if (after == BreakerPhase.OPEN) {
      scheduleCoolDownEnd();
    } else {
      timers.cancel(Tick.INSTANCE);
    }
    if (before == after) {
      return;
    }
    BreakerTransitioned event = new BreakerTransitioned(
        BreakerTransitioned.SCHEMA_VERSION, chain, providerId, transport, before, after, cause,
        trips(), System.currentTimeMillis());
    getContext().getLog().info("breaker {} {}/{} {} -> {} ({})", chain, providerId, transport, before, after, cause);
    ProviderPool.entityRef(getContext().getSystem(), chain).tell(new ProviderPool.BreakerChanged(event));
    events.tell(Topic.publish(event));
  }

  private void scheduleCoolDownEnd() {
    if (state instanceof BreakerState.Open open) {
      long delay = Math.max(0, open.retryAtNanos() - nanoClock.getAsLong());
      timers.startSingleTimer(Tick.INSTANCE, Duration.ofNanos(delay));
    }
  }

  private int trips() {
    if (state instanceof BreakerState.Open open) {
      return open.trips();
    }
    if (state instanceof BreakerState.HalfOpen halfOpen) {
      return halfOpen.trips();
    }
    return 0;
  }

  private BreakerTransitioned event(BreakerPhase phase, String cause) {
    return transition(phase, phase, cause);
  }

  private BreakerTransitioned transition(BreakerPhase from, BreakerPhase to, String cause) {
    return new BreakerTransitioned(
        BreakerTransitioned.SCHEMA_VERSION, chain, providerId, transport, from, to, cause,
        trips(), System.currentTimeMillis());
  }
}
