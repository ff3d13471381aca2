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
  private volatile ChainSnapshot snapshot;
  private volatile boolean fromPool;
  private volatile long receivedAtNanos;

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
    return new ChainRollup(config.name(), s.chainHead(), s.version(), providers, drained.decisions());
  }

  public List<ProviderCounters.Sample> samples() {
    List<ProviderCounters.Sample> out = new ArrayList<>(counterList.size());
    for (ProviderCounters c : counterList) {
      out.add(c.sample());
    }
    return out;
  }

  void acceptSnapshot(ChainSnapshot next) {
    breakers.onSnapshot(next);
    servedHead.follow(next);
    snapshot = next;
    receivedAtNanos = System.nanoTime();
    fromPool = true;
  }
}
