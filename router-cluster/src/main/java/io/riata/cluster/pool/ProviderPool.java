package io.riata.cluster.pool;

import io.riata.cluster.CborSerializable;
import io.riata.cluster.breaker.BreakerTransitioned;
import io.riata.cluster.breaker.CircuitBreaker;
import io.riata.core.breaker.BreakerPhase;
import io.riata.core.config.ChainConfig;
import io.riata.core.engine.TransportException;
import io.riata.core.config.ProviderConfig;
import io.riata.core.health.HeadProbeSchedule;
import io.riata.core.health.HeadTracker;
import io.riata.core.metrics.ProviderCounters;
import io.riata.core.selection.ChainSnapshot;
import io.riata.core.selection.ProviderStatus;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import io.riata.cluster.mailbox.MeteredMailbox;
import org.apache.pekko.actor.typed.MailboxSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.ORSet;
import org.apache.pekko.cluster.ddata.ORSetKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * The authority for one chain: provider heads (it runs the only head probes in the cluster),
 * rate-limit cool-downs, operators' drain flags and the breaker phases its breakers report. It merges the nodes' batched
 * counters, forwards outcome deltas to the breakers, and publishes a {@link ChainSnapshot} on the
 * chain's topic whenever something changed (coalesced) and at a steady interval.
 *
 * <p>State is lost when the entity moves; on start it asks its breakers for their phase and
 * probes every provider at once, so a new incarnation is accurate within one probe interval.
 * Drain flags are the exception: an operator set them, nothing would rebuild them, so they are
 * also kept in Distributed Data (an ORSet per chain, written to a majority) and read back on start.
 */
public final class ProviderPool extends AbstractBehavior<ProviderPool.Command> {

  public sealed interface Command extends CborSerializable {}

  /** Cumulative counters of one node for this chain's providers. */
  public record ReportBatch(String nodeId, long seq, List<ProviderCounters.Sample> samples)
      implements Command {}

  /** Replies with the current snapshot (and wakes the entity if it was not running). */
  public record GetSnapshot(ActorRef<ChainSnapshot> replyTo) implements Command {}

  /** Replies with every provider's outcome totals, summed over the latest report of every node. */
  public record GetTotals(ActorRef<Totals> replyTo) implements Command {}

  /**
   * Outcome totals per provider across the cluster, from cumulative reports: a report that was
   * lost or dropped is covered by the next one, so these never miss a counted attempt for long.
   *
   * @param nodes how many nodes have reported
   */
  public record Totals(String chain, int nodes, Map<String, ProviderCounters.Sample> providers)
      implements CborSerializable {}

  /**
   * Takes a provider out of rotation ({@code drained}) or puts it back, on every node: the flag
   * goes out in the next snapshot, and nodes skip drained providers for new requests. Requests
   * already sent finish normally.
   */
  public record Drain(String providerId, boolean drained, ActorRef<DrainUpdated> replyTo) implements Command {}

  /** Reply to {@link Drain}; {@code known} is false when the chain has no such provider. */
  public record DrainUpdated(String chain, String providerId, boolean drained, boolean known)
      implements CborSerializable {}

  /** A breaker of this chain changed phase (or answered {@link CircuitBreaker.GetState}). */
  public record BreakerChanged(BreakerTransitioned event) implements Command {}

  private enum ProbeTick implements Command {
    INSTANCE
  }

  private enum PublishTick implements Command {
    INSTANCE
  }

  /** Distributed Data did not answer at all: publish without the stored drains rather than never. */
  private enum DrainsWaitOver implements Command {
    INSTANCE
  }

  private enum FinalityTick implements Command {
    INSTANCE
  }

  private record FinalityDone(String providerId, HeadProbe.Finality finality) implements Command {}

  private record ProbeDone(String providerId, long head, String failure, boolean timedOut)
      implements Command {}

  private record DrainsLoaded(Replicator.GetResponse<ORSet<String>> response) implements Command {}

  private record DrainsStored(Replicator.UpdateResponse<ORSet<String>> response) implements Command {}

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY =
      EntityTypeKey.create(Command.class, "ProviderPool");

  public static String snapshotTopic(String chain) {
    return "riata-snapshots-" + chain;
  }

  /** Distributed Data key of the chain's drained provider ids: drains outlive a pool that moves. */
  public static Key<ORSet<String>> drainedKey(String chain) {
    return ORSetKey.create("riata-drained-" + chain);
  }

  private static final Duration DRAIN_CONSISTENCY_TIMEOUT = Duration.ofSeconds(3);

  public static void init(ActorSystem<?> system, PoolSettings settings) {
    ClusterSharding.get(system)
        .init(
            Entity.of(ENTITY_TYPE_KEY, ctx -> create(ctx.getEntityId(), settings))
                .withEntityProps(MailboxSelector.fromConfig(MeteredMailbox.ENTITY)));
  }

  public static EntityRef<Command> entityRef(ActorSystem<?> system, String chain) {
    return ClusterSharding.get(system).entityRefFor(ENTITY_TYPE_KEY, chain);
  }

  public static Behavior<Command> create(String chainName, PoolSettings settings) {
    return Behaviors.setup(
        ctx -> {
          ChainConfig chain =
              settings
                  .chains()
                  .get()
                  .chain(chainName)
                  .orElseThrow(() -> new IllegalStateException("no chain configured as " + chainName));
          return Behaviors.withTimers(timers -> new ProviderPool(ctx, timers, chain, settings));
        });
  }

  private static final String PROBE_SOURCE = "probe";

  private final TimerScheduler<Command> timers;
  private final ChainConfig chain;
  private final PoolSettings settings;
  private final Set<String> probingFinality = new HashSet<>();
  private final Map<String, Long> safeBlocks = new HashMap<>();
  private final Map<String, Long> finalizedBlocks = new HashMap<>();
  /** The highest finalized block each provider reported: its finalized block must not go below it. */
  private final Map<String, Long> highestFinalized = new HashMap<>();
  private final Set<String> finalizedWentBack = new HashSet<>();
  private final HeadTracker heads;
  private final ActorRef<Topic.Command<ChainSnapshot>> topic;
  private final ActorRef<BreakerTransitioned> breakerReplies;
  private final Map<String, BreakerPhase> breakerPhases = new HashMap<>();
  private final Map<String, Long> rateLimitedUntil = new HashMap<>();
  private final Map<String, Map<String, ProviderCounters.Sample>> lastSamples = new HashMap<>();
  private final Map<String, Long> lastSeqs = new HashMap<>();
  private final Set<String> probing = new HashSet<>();
  private final Set<String> drained = new HashSet<>();
  private final ReplicatorMessageAdapter<Command, ORSet<String>> replicator;
  private final SelfUniqueAddress self;
  private boolean drainsTouched;
  /**
   * False until the stored drains are read back. Until then nothing is published: the nodes keep
   * routing from their last snapshot (drains included) instead of seeing every drain lifted.
   */
  private boolean drainsKnown;
  private final List<ActorRef<ChainSnapshot>> waitingForSnapshot = new java.util.ArrayList<>();
  private long version;
  private boolean publishPending;
  private ChainSnapshot current;

  private ProviderPool(
      ActorContext<Command> ctx, TimerScheduler<Command> timers, ChainConfig chain, PoolSettings settings) {
    super(ctx);
    this.timers = timers;
    this.chain = chain;
    this.settings = settings;
    List<String> ids = chain.providers().stream().map(ProviderConfig::id).toList();
    this.heads = HeadTracker.forChain(chain);
    this.topic = ctx.spawn(Topic.create(ChainSnapshot.class, snapshotTopic(chain.name())), "snapshots");
    this.breakerReplies = ctx.messageAdapter(BreakerTransitioned.class, BreakerChanged::new);
    this.current = ChainSnapshot.empty(chain.name(), ids);
    for (ProviderConfig p : chain.providers()) {
      breaker(p.id()).tell(new CircuitBreaker.GetState(breakerReplies));
    }
    DistributedData ddata = DistributedData.get(ctx.getSystem());
    this.self = ddata.selfUniqueAddress();
    this.replicator = new ReplicatorMessageAdapter<>(ctx, ddata.replicator(), DRAIN_CONSISTENCY_TIMEOUT.plusSeconds(1));
    // A pool that moved (rebalance, node loss) takes over the drains its predecessor stored.
    replicator.askGet(
        replyTo -> new Replicator.Get<>(drainedKey(chain.name()), new Replicator.ReadMajority(DRAIN_CONSISTENCY_TIMEOUT), replyTo),
        DrainsLoaded::new);
    timers.startSingleTimer(DrainsWaitOver.INSTANCE, DRAIN_CONSISTENCY_TIMEOUT.multipliedBy(3));
    Duration probeEvery = HeadProbeSchedule.interval(chain.blockTime());
    timers.startTimerWithFixedDelay(ProbeTick.INSTANCE, Duration.ZERO, probeEvery);
    timers.startTimerWithFixedDelay("finality", FinalityTick.INSTANCE, Duration.ZERO, chain.finalityInterval());
    timers.startTimerWithFixedDelay("republish", PublishTick.INSTANCE, settings.republishInterval());
    ctx.getLog().info("pool {} started on this node: {} providers, probing every {}", chain.name(), ids.size(), probeEvery);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(ReportBatch.class, this::onReportBatch)
        .onMessage(GetSnapshot.class, this::onGetSnapshot)
        .onMessage(GetTotals.class, this::onGetTotals)
        .onMessage(BreakerChanged.class, this::onBreakerChanged)
        .onMessage(Drain.class, this::onDrain)
        .onMessage(DrainsLoaded.class, this::onDrainsLoaded)
        .onMessage(DrainsStored.class, this::onDrainsStored)
        .onMessageEquals(DrainsWaitOver.INSTANCE, this::onDrainsWaitOver)
        .onMessage(ProbeDone.class, this::onProbeDone)
        .onMessageEquals(ProbeTick.INSTANCE, this::onProbeTick)
        .onMessageEquals(FinalityTick.INSTANCE, this::onFinalityTick)
        .onMessage(FinalityDone.class, this::onFinalityDone)
        .onMessageEquals(PublishTick.INSTANCE, this::onPublishTick)
        .build();
  }

  private Behavior<Command> onReportBatch(ReportBatch msg) {
    Long lastSeq = lastSeqs.get(msg.nodeId());
    if (lastSeq != null && msg.seq() <= lastSeq) {
      return this; // older than what we hold: the totals it carries are already counted
    }
    lastSeqs.put(msg.nodeId(), msg.seq());
    Map<String, ProviderCounters.Sample> previous =
        lastSamples.computeIfAbsent(msg.nodeId(), n -> new HashMap<>());
    boolean changed = false;
    for (ProviderCounters.Sample now : msg.samples()) {
      if (chain.provider(now.providerId()).isEmpty()) {
        continue;
      }
      ProviderCounters.Sample before = previous.put(now.providerId(), now);
      forwardDelta(msg.nodeId(), before, now);
      if (now.rateLimitedUntilMillis() > rateLimitedUntil.getOrDefault(now.providerId(), 0L)) {
        rateLimitedUntil.put(now.providerId(), now.rateLimitedUntilMillis());
        changed = true;
      }
    }
    if (changed) {
      schedulePublish();
    }
    return this;
  }

  /** Turns two cumulative samples into "these successes, then these failures" for the breaker. */
  private void forwardDelta(String nodeId, ProviderCounters.Sample before, ProviderCounters.Sample now) {
    if (before != null && (now.successes() < before.successes() || now.failures() < before.failures())) {
      before = null; // the node restarted its counters
    }
    long successes = now.successes() - (before == null ? 0 : before.successes());
    int failures = now.failureStreak();
    int timeouts = now.timeoutStreak();
    if (successes == 0 && before != null) {
      failures = Math.max(0, now.failureStreak() - before.failureStreak());
      timeouts = Math.max(0, now.timeoutStreak() - before.timeoutStreak());
    }
    if (successes == 0 && failures == 0) {
      return;
    }
    breaker(now.providerId())
        .tell(new CircuitBreaker.RecordOutcomes(nodeId, successes, failures, Math.min(timeouts, failures), now.lastFailure()));
  }

  private Behavior<Command> onGetSnapshot(GetSnapshot msg) {
    if (version == 0) {
      // Nothing published yet (drains still unknown, or the first publication only scheduled):
      // answering the empty placeholder would make the asking node ready on a view with no heads.
      waitingForSnapshot.add(msg.replyTo()); // answered by the first publication
    } else {
      msg.replyTo().tell(current);
    }
    return this;
  }

  private Behavior<Command> onGetTotals(GetTotals msg) {
    Map<String, ProviderCounters.Sample> sums = new LinkedHashMap<>();
    for (ProviderConfig p : chain.providers()) {
      long successes = 0;
      long failures = 0;
      long timeouts = 0;
      long rateLimited = 0;
      for (Map<String, ProviderCounters.Sample> node : lastSamples.values()) {
        ProviderCounters.Sample s = node.get(p.id());
        if (s != null) {
          successes += s.successes();
          failures += s.failures();
          timeouts += s.timeouts();
          rateLimited += s.rateLimited();
        }
      }
      sums.put(p.id(), new ProviderCounters.Sample(p.id(), successes, failures, timeouts, rateLimited, 0, 0,
          rateLimitedUntil.getOrDefault(p.id(), 0L), ""));
    }
    msg.replyTo().tell(new Totals(chain.name(), lastSamples.size(), sums));
    return this;
  }

  private Behavior<Command> onBreakerChanged(BreakerChanged msg) {
    BreakerTransitioned e = msg.event();
    if (!e.chain().equals(chain.name()) || !CircuitBreaker.HTTP.equals(e.transport())) {
      return this;
    }
    BreakerPhase old = breakerPhases.put(e.providerId(), e.to());
    if (old != e.to()) {
      schedulePublish();
    }
    return this;
  }

  private Behavior<Command> onDrain(Drain msg) {
    if (chain.provider(msg.providerId()).isEmpty()) {
      msg.replyTo().tell(new DrainUpdated(chain.name(), msg.providerId(), false, false));
      return this;
    }
    drainsTouched = true;
    drainsKnown = true;
    boolean changed = msg.drained() ? drained.add(msg.providerId()) : drained.remove(msg.providerId());
    if (changed) {
      getContext().getLog().info("pool {}: provider {} {} by operator", chain.name(), msg.providerId(),
          msg.drained() ? "drained" : "undrained");
      publishPending = false;
      timers.cancel(PublishTick.INSTANCE);
      publish();
      String id = msg.providerId();
      replicator.askUpdate(
          replyTo -> new Replicator.Update<>(drainedKey(chain.name()), ORSet.empty(),
              new Replicator.WriteMajority(DRAIN_CONSISTENCY_TIMEOUT), replyTo,
              set -> msg.drained() ? set.add(self, id) : set.remove(self, id)),
          DrainsStored::new);
    }
    msg.replyTo().tell(new DrainUpdated(chain.name(), msg.providerId(), msg.drained(), true));
    return this;
  }

  private Behavior<Command> onDrainsLoaded(DrainsLoaded msg) {
    if (msg.response() instanceof Replicator.GetFailure<ORSet<String>>) {
      // No majority answered in time: the local replica is the best there is.
      replicator.askGet(
          replyTo -> new Replicator.Get<>(drainedKey(chain.name()), Replicator.readLocal(), replyTo),
          DrainsLoaded::new);
      return this;
    }
    if (!drainsTouched && msg.response() instanceof Replicator.GetSuccess<ORSet<String>> found) {
      // (an operator's newer decision wins, and "not found" means nothing is drained)
      Set<String> stored = new HashSet<>(found.get(drainedKey(chain.name())).getElements());
      stored.removeIf(id -> chain.provider(id).isEmpty());
      if (!stored.equals(drained)) {
        drained.clear();
        drained.addAll(stored);
        getContext().getLog().info("pool {}: drained providers restored: {}", chain.name(), stored);
      }
    }
    onDrainsKnown();
    return this;
  }

  private Behavior<Command> onDrainsWaitOver() {
    if (!drainsKnown) {
      getContext().getLog().warn("pool {}: stored drain flags could not be read; publishing without them", chain.name());
      onDrainsKnown();
    }
    return this;
  }

  private void onDrainsKnown() {
    timers.cancel(DrainsWaitOver.INSTANCE);
    if (!drainsKnown) {
      drainsKnown = true;
      schedulePublish();
    }
  }

  private Behavior<Command> onDrainsStored(DrainsStored msg) {
    if (!(msg.response() instanceof Replicator.UpdateSuccess<ORSet<String>>)) {
      // Applied locally and gossiped later; only a pool moving before then would miss it.
      getContext().getLog().warn("pool {}: drain flags not yet stored on a majority: {}", chain.name(), msg.response());
    }
    return this;
  }

  private Behavior<Command> onFinalityTick() {
    for (ProviderConfig p : chain.providers()) {
      if (!probingFinality.add(p.id())) {
        continue;
      }
      getContext().pipeToSelf(settings.probe().finality(chain, p),
          (finality, failure) -> new FinalityDone(p.id(), failure == null ? finality : HeadProbe.Finality.UNKNOWN));
    }
    return this;
  }

  /**
   * Keeps what a provider answered for its safe and finalized blocks. A tag it did not answer
   * keeps the last known value. A finalized block below the highest one it reported before flags
   * the provider until it reaches that height again: finality that goes backwards is a broken node.
   */
  private Behavior<Command> onFinalityDone(FinalityDone msg) {
    probingFinality.remove(msg.providerId());
    String id = msg.providerId();
    HeadProbe.Finality f = msg.finality();
    boolean changed = false;
    if (f.safe() >= 0 && safeBlocks.getOrDefault(id, -1L) != f.safe()) {
      safeBlocks.put(id, f.safe());
      changed = true;
    }
    if (f.finalized() >= 0) {
      long highest = highestFinalized.getOrDefault(id, -1L);
      boolean back = f.finalized() < highest;
      if (back && !finalizedWentBack.contains(id)) {
        getContext().getLog().warn("pool {}: provider {} reports finalized block {} after {}: finality went back",
            chain.name(), id, f.finalized(), highest);
      }
      changed |= back ? finalizedWentBack.add(id) : finalizedWentBack.remove(id);
      if (!back) {
        highestFinalized.put(id, f.finalized());
      }
      if (finalizedBlocks.getOrDefault(id, -1L) != f.finalized()) {
        finalizedBlocks.put(id, f.finalized());
        changed = true;
      }
    }
    if (changed) {
      schedulePublish();
    }
    return this;
  }

  private Behavior<Command> onProbeTick() {
    for (ProviderConfig p : chain.providers()) {
      if (!probing.add(p.id())) {
        continue; // the previous probe has not come back yet
      }
      getContext()
          .pipeToSelf(
              settings.probe().blockNumber(chain, p),
              (head, failure) -> {
                if (failure == null) {
                  return new ProbeDone(p.id(), head, null, false);
                }
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
                return new ProbeDone(p.id(), -1, "probe: " + describe(cause),
                    cause instanceof TransportException te ? te.timedOut() : cause instanceof TimeoutException);
              });
    }
    return this;
  }

  private Behavior<Command> onProbeDone(ProbeDone msg) {
    probing.remove(msg.providerId());
    if (msg.failure() == null) {
      long chainHeadBefore = heads.chainHead();
      long lagBefore = heads.lag(msg.providerId());
      long roguesBefore = heads.rogueChanges();
      heads.report(msg.providerId(), msg.head(), settings.nanoClock().getAsLong());
      breaker(msg.providerId()).tell(new CircuitBreaker.RecordOutcomes(PROBE_SOURCE, 1, 0, 0, null));
      if (heads.chainHead() != chainHeadBefore || heads.lag(msg.providerId()) != lagBefore
          || heads.rogueChanges() != roguesBefore) {
        schedulePublish();
      }
    } else {
      breaker(msg.providerId())
          .tell(new CircuitBreaker.RecordOutcomes(PROBE_SOURCE, 0, 1, msg.timedOut() ? 1 : 0, msg.failure()));
    }
    return this;
  }

  private Behavior<Command> onPublishTick() {
    publishPending = false;
    publish();
    return this;
  }

  private void schedulePublish() {
    if (!publishPending) {
      publishPending = true;
      timers.startSingleTimer(PublishTick.INSTANCE, settings.publishCoalesce());
    }
  }

  private void publish() {
    if (!drainsKnown) {
      return; // published once the drains are known
    }
    Map<String, ProviderStatus> statuses = new LinkedHashMap<>();
    for (ProviderConfig p : chain.providers()) {
      String id = p.id();
      long head = heads.head(id);
      statuses.put(
          id,
          new ProviderStatus(
              id,
              head,
              heads.lag(id),
              drained.contains(id),
              rateLimitedUntil.getOrDefault(id, 0L),
              breakerPhases.getOrDefault(id, BreakerPhase.CLOSED),
              heads.isRogue(id),
              safeBlocks.getOrDefault(id, -1L),
              finalizedBlocks.getOrDefault(id, -1L),
              finalizedWentBack.contains(id)));
    }
    current = new ChainSnapshot(chain.name(), ++version, heads.chainHead(), statuses);
    topic.tell(Topic.publish(current));
    waitingForSnapshot.forEach(r -> r.tell(current));
    waitingForSnapshot.clear();
  }

  private EntityRef<CircuitBreaker.Command> breaker(String providerId) {
    return ClusterSharding.get(getContext().getSystem())
        .entityRefFor(
            CircuitBreaker.ENTITY_TYPE_KEY,
            CircuitBreaker.entityId(chain.name(), providerId, CircuitBreaker.HTTP));
  }

  /** A short reason, as in the attempt logs ("connection refused", "timeout", "http 503"). */
  private static String describe(Throwable t) {
    if (t instanceof TransportException te) {
      return te.failure().reason();
    }
    if (t instanceof IllegalStateException && t.getMessage() != null) {
      return t.getMessage(); // the probe's own verdict on a reply, e.g. "http 503"
    }
    return t instanceof TimeoutException ? "timeout" : "error " + t.getClass().getSimpleName();
  }
}
