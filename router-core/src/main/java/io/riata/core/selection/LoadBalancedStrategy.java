package io.riata.core.selection;

import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * {@code load-balanced}: a weighted random order by {@code weight}. The first provider is drawn with
 * probability {@code weight / total}; each following position is drawn the same way among the
 * providers not yet placed. So a provider with weight 3 next to two with weight 1 takes about 60%
 * of first attempts, and when the first attempt fails its traffic spreads over the others by
 * weight too, instead of piling onto one fixed fallback.
 */
public final class LoadBalancedStrategy implements Strategy {
  private final Supplier<? extends RandomGenerator> random;

  LoadBalancedStrategy(Supplier<? extends RandomGenerator> random) {
    this.random = random;
  }

  @Override
  public StrategyName name() {
    return StrategyName.LOAD_BALANCED;
  }

  @Override
  public void order(Candidate[] candidates, int count, String method) {
    RandomGenerator rnd = random.get();
    long total = 0;
    for (int i = 0; i < count; i++) {
      total += Candidates.weight(candidates[i]);
    }
    for (int i = 0; i < count - 1; i++) {
      long x = rnd.nextLong(total);
      int j = i;
      long acc = Candidates.weight(candidates[j]);
      while (acc <= x) {
        j++;
        acc += Candidates.weight(candidates[j]);
      }
      Candidates.moveTo(candidates, j, i);
      total -= Candidates.weight(candidates[i]);
    }
  }
}
