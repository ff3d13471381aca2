package io.riata.core.engine;

import io.riata.core.breaker.BreakerPhase;
import io.riata.core.config.ChainConfig;
import io.riata.core.health.ServedHead;
import io.riata.core.config.ProviderConfig;
import io.riata.core.failover.OutcomeKind;
import io.riata.core.rollup.RollupRecorder;
import io.riata.core.selection.BreakerView;
import io.riata.core.selection.ChainSnapshot;
import io.riata.core.selection.LatencyView;
import io.riata.core.selection.ProviderStatus;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A chain of healthy providers at head 100, recording what the engine records. */
final class TestChain implements ChainContext {

  record Recorded(String providerId, OutcomeKind kind, String reason, long rateLimitedUntilMillis) {}

  final List<Recorded> recorded = new ArrayList<>();
  final Map<String, BreakerPhase> phases = new HashMap<>();
  final RollupRecorder rollup = new RollupRecorder(16, 16);
  private final ChainConfig config;
  private final ServedHead servedHead;
  private ChainSnapshot snapshot;

  TestChain(ProviderConfig... providers) {
    this.config = new ChainConfig("test", 5, Duration.ofSeconds(2), 5, "priority", 128, List.of(providers));
    Map<String, ProviderStatus> statuses = new LinkedHashMap<>();
    for (ProviderConfig p : providers) {
      statuses.put(p.id(), new ProviderStatus(p.id(), 100, 0, false, 0, BreakerPhase.CLOSED));
    }
    this.snapshot = new ChainSnapshot("test", 1, 100, statuses);
    this.servedHead = new ServedHead(statuses.keySet().stream().toList());
  }

  /** Providers {@code ids} with priorities in that order and no request timeout of their own. */
  static TestChain of(String... ids) {
    ProviderConfig[] providers = new ProviderConfig[ids.length];
    for (int i = 0; i < ids.length; i++) {
      providers[i] = provider(ids[i], i + 1, null, 0);
    }
    return new TestChain(providers);
  }

  static ProviderConfig provider(String id, int priority, Duration requestTimeout, int maxConcurrency) {
    return new ProviderConfig(id, URI.create("http://" + id + ".test/"), null, priority, 1, false, Set.of(), Set.of(),
        requestTimeout, Map.of(), maxConcurrency);
  }

  void drain(String id) {
    Map<String, ProviderStatus> statuses = new LinkedHashMap<>(snapshot.providers());
    ProviderStatus s = statuses.get(id);
    statuses.put(id, new ProviderStatus(id, s.head(), s.lag(), true, 0, s.breaker()));
    snapshot = new ChainSnapshot("test", snapshot.version() + 1, snapshot.chainHead(), statuses);
  }

  @Override
  public ChainConfig config() {
    return config;
  }

  @Override
  public ChainSnapshot snapshot() {
    return snapshot;
  }

  @Override
  public ServedHead servedHead() {
    return servedHead;
  }

  @Override
  public BreakerView breakers() {
    return id -> phases.getOrDefault(id, BreakerPhase.CLOSED);
  }

  /** Empty unless a test records into it: the engine's attempts are recorded in {@link #recorded}. */
  final io.riata.core.metrics.LatencyTracker latency = new io.riata.core.metrics.LatencyTracker();

  @Override
  public LatencyView latency() {
    return latency;
  }

  @Override
  public RollupRecorder rollup() {
    return rollup;
  }

  @Override
  public void recordAttempt(String providerId, String method, OutcomeKind kind, String reason, long nanos,
                            long rateLimitedUntilMillis) {
    recorded.add(new Recorded(providerId, kind, reason, rateLimitedUntilMillis));
  }
}
