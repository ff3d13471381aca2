package io.riata.core.selection;

import java.util.Comparator;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code fastest}: ascending smoothed latency of the request's own method on each provider. A score
 * across methods would mislead: {@code eth_getLogs} and {@code eth_blockNumber} differ by orders of
 * magnitude, and a provider can be quick at one and slow at the other.
 *
 * <p>Providers without a measurement for the method come after the measured ones, by
 * {@code priority} then configuration order; with none measured that is the whole order. Left at
 * that, an unmeasured provider would only ever see failover traffic and never get measured, so one
 * in {@value #EXPLORE_EVERY} requests that have both kinds puts an unmeasured provider first
 * (taking turns among them). The turn comes from a counter, not a coin, so the share is exact and
 * tests are deterministic; the very first such request explores, so a new provider is measured at once.
 *
 * <p>Caveat: a measured provider's estimate only moves when it serves the method, so one that was
 * slow for a while gets little traffic to prove it recovered (failover and health probes still reach it).
 */
public final class FastestStrategy implements Strategy {
  /** One request in this many, among those with unmeasured candidates, tries an unmeasured provider first. */
  public static final int EXPLORE_EVERY = 32;

  /** Measured by latency (ties by configuration order), then unmeasured by priority. */
  private static final Comparator<Candidate> ORDER = (a, b) ->
      a.measured() || b.measured() ? Candidates.BY_LATENCY.compare(a, b) : Candidates.BY_PRIORITY.compare(a, b);

  private final AtomicLong exploreTurn = new AtomicLong();

  FastestStrategy() {}

  @Override
  public StrategyName name() {
    return StrategyName.FASTEST;
  }

  @Override
  public boolean usesLatency() {
    return true;
  }

  @Override
  public void order(Candidate[] candidates, int count, String method) {
    Candidates.sort(candidates, count, ORDER);
    int measured = Candidates.measuredPrefix(candidates, count);
    if (measured == 0 || measured == count) {
      return;
    }
    long turn = exploreTurn.getAndIncrement();
    if (Long.remainderUnsigned(turn, EXPLORE_EVERY) == 0) {
      int unmeasured = count - measured;
      int pick = measured + (int) Long.remainderUnsigned(Long.divideUnsigned(turn, EXPLORE_EVERY), unmeasured);
      Candidates.moveToFront(candidates, pick);
    }
  }
}
