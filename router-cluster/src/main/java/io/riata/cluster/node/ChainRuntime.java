package io.riata.cluster.node;

import io.riata.core.config.ChainConfig;
import io.riata.core.engine.ChainContext;
import io.riata.core.config.ProviderConfig;
import io.riata.core.failover.OutcomeKind;
import io.riata.core.metrics.LatencyTracker;
import io.riata.core.metrics.ProviderCounters;
import io.riata.core.rollup.ChainRollup;
import io.riata.core.rollup.MethodStats;
import io.riata.core.rollup.ProviderRollup;
import io.riata.core.rollup.RollupRecorder;
import io.riata.core.breaker.BreakerPhase;
import io.riata.core.selection.ProviderStatus;
import io.riata.core.health.ServedHead;
import io.riata.core.selection.ChainSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Everything the request path of one node needs for one chain, with no actor in between: the
 * latest snapshot (one volatile read), the local breaker view, latency and outcome counters.
 */
public final class ChainRuntime implements ChainContext {

  private volatile ChainConfig config;
  private final LocalBreakerView breakers;
  private final LatencyTracker latency = new LatencyTracker();
  private final RollupRecorder rollup;
  private final Map<String, ProviderCounters> counters;
  private final List<ProviderCounters> counterList;
  private final ServedHead servedHead;
  /** What requests read: the pool's last snapshot, or this node's stand-in view built on it. */
  private volatile ChainSnapshot snapshot;
  /** The last snapshot the pool published. */
  private volatile ChainSnapshot poolSnapshot;
  private volatile boolean fromPool;
  private volatile long receivedAtNanos;
  /** When the heads in {@link #snapshot} were last refreshed, by the pool or by this node's own probes. */
  private volatile long headsAtNanos;
  /** Since when this node probes heads itself because the pool is silent; 0 when it does not. */
  private volatile long standInSinceNanos;

  public ChainRuntime(ChainConfig config, int localTripThreshold, Duration localTripDuration, LongSupplier nanoClock) {
    this(config, localTripThreshold, localTripDuration, nanoClock, new RollupRecorder(64, 20));
  }

  public ChainRuntime(ChainConfig config, int localTripThreshold, Duration localTripDuration, LongSupplier nanoClock,
                      RollupRecorder rollup) {
    this.config = config;
    this.rollup = rollup;
    List<String> ids = config.providers().stream().map(ProviderConfig::id).toList();
    this.breakers = new LocalBreakerView(ids, localTripThreshold, localTripDuration, nanoClock);
    Map<String, ProviderCounters> map = new HashMap<>();
    List<ProviderCounters> list = new ArrayList<>();
    for (String id : ids) {
      ProviderCounters c = new ProviderCounters(id);
      map.put(id, c);
      list.add(c);
    }
    this.counters = Map.copyOf(map);
    this.counterList = List.copyOf(list);
    this.snapshot = ChainSnapshot.empty(config.name(), ids);
    this.poolSnapshot = snapshot;
    this.servedHead = new ServedHead(ids);
  }

  @Override
  public ChainConfig config() {
    return config;
  }

  /**
   * Swaps in a reloaded configuration of this chain. Only changes that {@code ConfigChanges} calls
   * live may reach here (same providers, same URLs), so the breaker view and counters stay valid.
   */
  void replaceConfig(ChainConfig next) {
    if (!next.name().equals(config.name())) {
      throw new IllegalArgumentException("chain " + config.name() + " cannot become " + next.name());
    }
    config = next;
  }

  @Override
  public ChainSnapshot snapshot() {
    return snapshot;
  }

  @Override
  public ServedHead servedHead() {
    return servedHead;
  }

  /** Whether a snapshot from the chain's pool has arrived (readiness). */
  public boolean hasPoolSnapshot() {
    return fromPool;
  }

  /**
   * Milliseconds since the last snapshot arrived from the pool, or -1 before the first. Pools
   * republish every {@code republish-interval}, so a growing age means the pool is unreachable
   * (the node keeps routing from this snapshot meanwhile).
   */
  public long snapshotAgeMillis() {
    return fromPool ? (System.nanoTime() - receivedAtNanos) / 1_000_000 : -1;
  }

  /** The last snapshot the pool published (what a stand-in view is built on). */
  public ChainSnapshot poolSnapshot() {
    return poolSnapshot;
  }

  /**
   * Milliseconds since the heads this node routes by were last refreshed (by a snapshot of the
   * pool or, while the pool is silent, by this node's own probes), or -1 before the first snapshot.
   */
  public long headsAgeMillis() {
    return fromPool ? (System.nanoTime() - headsAtNanos) / 1_000_000 : -1;
  }

  /** Whether this node probes the chain's heads itself because the pool has gone silent. */
  public boolean standingIn() {
    return standInSinceNanos != 0;
  }

  /** Milliseconds this node has been probing heads itself, 0 when it is not. */
  public long standInMillis() {
    long since = standInSinceNanos;
    return since == 0 ? 0 : Math.max(1, (System.nanoTime() - since) / 1_000_000);
  }

  @Override
  public LocalBreakerView breakers() {
    return breakers;
  }

  @Override
  public LatencyTracker latency() {
    return latency;
  }

  /** Records one attempt; called on the request path, lock-free. */
  @Override
  public void recordAttempt(String providerId, String method, OutcomeKind kind, String reason,
                            long nanos, long rateLimitedUntilMillis) {
    ProviderCounters c = counters.get(providerId);
    if (c == null) {
      return;
    }
    c.record(kind, reason, rateLimitedUntilMillis);
    breakers.onOutcome(providerId, kind.healthy() || kind == OutcomeKind.RATE_LIMITED);
    if (rateLimitedUntilMillis > 0) {
      breakers.rateLimited(providerId, rateLimitedUntilMillis);
    }
    if (kind.settles()) {
      latency.record(providerId, method, nanos);
    }
    rollup.attempt(providerId, method, kind, nanos);
  }

  /** The dashboard's counters of this chain on this node; the request path records answers here. */
  @Override
  public RollupRecorder rollup() {
    return rollup;
  }

  /**
   * This node's traffic since the last call, with the provider states of the current snapshot.
   * Called by one actor every rollup interval.
   */
  public ChainRollup drainRollup() {
    RollupRecorder.Drained drained = rollup.drain();
    ChainSnapshot s = snapshot;
    long now = System.currentTimeMillis();
    List<ProviderRollup> providers = new ArrayList<>(counterList.size() + 1);
    for (ProviderCounters c : counterList) {
      String id = c.providerId();
      ProviderStatus status = s.provider(id);
      providers.add(new ProviderRollup(id, status.head(), status.lag(), status.breaker(), status.drained(),
          status.rateLimitedAt(now), breakers.trippedLocally(id) ? 1 : 0,
          drained.providers().getOrDefault(id, List.of()), status.rogue(), status.safe(), status.finalized(),
          status.finalizedWentBack()));
    }
    List<MethodStats> own = drained.providers().get(RollupRecorder.RIATA);
    if (own != null) {
      providers.add(new ProviderRollup(RollupRecorder.RIATA, -1, -1, BreakerPhase.CLOSED, false, false, 0, own));
    }
    return new ChainRollup(config.name(), s.chainHead(), s.version(), providers, drained.decisions(),
        standingIn() ? 1 : 0, drained.retries());
  }

  public List<ProviderCounters.Sample> samples() {
    List<ProviderCounters.Sample> out = new ArrayList<>(counterList.size());
    for (ProviderCounters c : counterList) {
      out.add(c.sample());
    }
    return out;
  }

  /** A snapshot from the pool: it replaces whatever view this node had, its own stand-in included. */
  void acceptSnapshot(ChainSnapshot next) {
    acceptSnapshot(next, null);
  }

  /**
   * A snapshot from the pool.
   *
   * @param standInView null to end this node's stand-in (if any) and route by {@code next}; else the
   *                    stand-in goes on with this view, built on {@code next}
   */
  void acceptSnapshot(ChainSnapshot next, ChainSnapshot standInView) {
    install(standInView == null ? next : standInView);
    poolSnapshot = next;
    long now = System.nanoTime();
    receivedAtNanos = now;
    if (standInView == null) {
      headsAtNanos = now;
      standInSinceNanos = 0;
    }
    fromPool = true;
  }

  /** Marks the start of this node's own probing (the pool went silent). */
  void standInStarted(long nowNanos) {
    standInSinceNanos = nowNanos == 0 ? 1 : nowNanos;
  }

  /**
   * This node's stand-in view, built on the pool's last snapshot from its own probes. Ignored once
   * the pool has published again: the pool's view wins.
   */
  void acceptStandIn(ChainSnapshot view) {
    if (standInSinceNanos == 0) {
      return;
    }
    install(view);
    headsAtNanos = System.nanoTime();
  }

  private void install(ChainSnapshot next) {
    breakers.onSnapshot(next);
    servedHead.follow(next);
    snapshot = next;
  }
}
