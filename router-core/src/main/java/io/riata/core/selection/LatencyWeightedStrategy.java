package io.riata.core.selection;

import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * {@code latency-weighted}: the first provider is drawn at random with weight {@code 1/latency²},
 * using the latency of the request's own method; the rest follow in ascending latency (unmeasured
 * ones last, in configuration order). Squaring makes a provider twice as fast get four times the
 * traffic, while slower ones keep enough to stay measured.
 *
 * <p>An unmeasured provider gets the median weight of the measured ones (the mean of the two middle
 * weights when their number is even), so it is explored at an ordinary rate without being
 * favoured. With none measured, all weigh the same.
 */
public final class LatencyWeightedStrategy implements Strategy {
  private final Supplier<? extends RandomGenerator> random;

  LatencyWeightedStrategy(Supplier<? extends RandomGenerator> random) {
    this.random = random;
  }

  @Override
  public StrategyName name() {
    return StrategyName.LATENCY_WEIGHTED;
  }

  @Override
  public boolean usesLatency() {
    return true;
  }

  @Override
  public void order(Candidate[] candidates, int count, String method) {
    Candidates.sort(candidates, count, Candidates.BY_LATENCY);
    int measured = Candidates.measuredPrefix(candidates, count);
    // Weights relative to the fastest keep the numbers near 1 whatever the unit.
    double best = measured > 0 ? floor(candidates[0].latencyNanos()) : 1;
    double unmeasuredWeight;
    if (measured == 0) {
      unmeasuredWeight = 1;
    } else if ((measured & 1) == 1) {
      unmeasuredWeight = weight(candidates[measured / 2], best);
    } else {
      unmeasuredWeight = (weight(candidates[measured / 2 - 1], best) + weight(candidates[measured / 2], best)) / 2;
    }
    double total = 0;
    for (int i = 0; i < count; i++) {
      total += i < measured ? weight(candidates[i], best) : unmeasuredWeight;
    }
    double x = random.get().nextDouble() * total;
    int pick = count - 1;
    double acc = 0;
    for (int i = 0; i < count; i++) {
      acc += i < measured ? weight(candidates[i], best) : unmeasuredWeight;
      if (x < acc) {
        pick = i;
        break;
      }
    }
    Candidates.moveToFront(candidates, pick);
  }

  private static double weight(Candidate c, double best) {
    double r = best / floor(c.latencyNanos());
    return r * r;
  }

  /** A zero reading (coarse clock) must not become an infinite weight. */
  private static double floor(double latencyNanos) {
    return Math.max(1, latencyNanos);
  }
}
