package io.riata.core.selection;

/**
 * {@code priority}: providers in ascending {@code priority}, ties in configuration order. All
 * traffic goes to the first healthy one; the rest are failover in that fixed order.
 */
public final class PriorityStrategy implements Strategy {

  PriorityStrategy() {}

  @Override
  public StrategyName name() {
    return StrategyName.PRIORITY;
  }

  @Override
  public void order(Candidate[] candidates, int count, String method) {
    Candidates.sort(candidates, count, Candidates.BY_PRIORITY);
  }
}
