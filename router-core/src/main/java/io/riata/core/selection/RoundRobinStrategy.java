package io.riata.core.selection;

import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code round-robin}: each request starts one provider further along the list of eligible
 * providers (in configuration order) than the previous request did; failover continues around the
 * list from there. Over N requests with a stable eligible set, each provider is tried first N/count
 * times.
 *
 * <p>The counter is per strategy instance and shared by all methods. When the eligible set changes
 * (a breaker opens) the rotation continues over the new list, so the spread stays even without a reset.
 */
public final class RoundRobinStrategy implements Strategy {
  private final AtomicLong next = new AtomicLong();

  RoundRobinStrategy() {}

  @Override
  public StrategyName name() {
    return StrategyName.ROUND_ROBIN;
  }

  @Override
  public void order(Candidate[] candidates, int count, String method) {
    int start = (int) Long.remainderUnsigned(next.getAndIncrement(), count);
    Candidates.rotateLeft(candidates, count, start);
  }
}
