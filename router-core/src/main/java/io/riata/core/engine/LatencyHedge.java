package io.riata.core.engine;

import io.riata.core.config.ProviderConfig;
import java.time.Duration;
import java.util.Set;

/**
 * Hedges a read after the first provider's recent 95th percentile for the method (or after a fixed
 * delay), within bounds: a provider that turns slow then costs a request about its usual p95, not
 * its share of the deadline. Only 5 % or so of reads wait that long, so hedges stay a small share of
 * the traffic, and they are paid from the chain's retry budget like any retry. Before a provider
 * and method have been measured the upper bound is used.
 *
 * <p>Writes are never hedged (the engine sees to that), nor are methods whose state lives on one
 * provider (filters) or that sign with a provider's keys.
 */
public final class LatencyHedge implements HedgePolicy {

  /**
   * @param fixed a fixed delay, or {@code null} to follow each provider's p95 for the method
   * @param min   the shortest delay: a read is never hedged sooner
   * @param max   the longest delay, also the delay before anything was measured
   */
  public record Settings(Duration fixed, Duration min, Duration max) {
    public Settings {
      if (min.isNegative() || max.compareTo(min) < 0) {
        throw new IllegalArgumentException("hedge delays need 0 <= min <= max, got min " + min + ", max " + max);
      }
      if (fixed != null && fixed.isNegative()) {
        throw new IllegalArgumentException("a fixed hedge delay must not be negative, got " + fixed);
      }
    }
  }

  /** Methods never hedged: provider-side state, or a provider's keys. */
  private static final Set<String> NOT_HEDGED = Set.of(
      "eth_newFilter", "eth_newBlockFilter", "eth_newPendingTransactionFilter", "eth_getFilterChanges",
      "eth_getFilterLogs", "eth_uninstallFilter", "eth_sign", "eth_signTransaction", "eth_signTypedData",
      "eth_sendTransaction", "eth_subscribe", "eth_unsubscribe");

  private final long fixedNanos;
  private final long minNanos;
  private final long maxNanos;

  public LatencyHedge(Settings settings) {
    this.fixedNanos = settings.fixed() == null ? -1 : settings.fixed().toNanos();
    this.minNanos = settings.min().toNanos();
    this.maxNanos = settings.max().toNanos();
  }

  @Override
  public long delayNanos(ChainContext chain, ProviderConfig first, String method) {
    if (NOT_HEDGED.contains(method) || method.startsWith("personal_")) {
      return -1;
    }
    if (fixedNanos >= 0) {
      return fixedNanos;
    }
    double p95 = chain.latency().p95Nanos(first.id(), method);
    long delay = Double.isNaN(p95) ? maxNanos : (long) p95;
    return Math.max(minNanos, Math.min(maxNanos, delay));
  }
}
