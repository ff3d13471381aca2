package io.riata.core.selection;

/**
 * Orders a request's eligible providers best-first. The selector calls it once per request,
 * from many threads at once, so implementations are thread-safe and do not block.
 *
 * <p>Health tiers are applied afterwards by the selector with a stable sort, so a strategy only
 * expresses its own preference and never needs to look at {@link Candidate#tier()}.
 */
public interface Strategy {

  StrategyName name();

  /**
   * Permutes {@code candidates[0..count)} in place, best first. On entry they are in configuration
   * order. Only called with {@code count >= 2}. Must not keep references to the array or its elements.
   */
  void order(Candidate[] candidates, int count, String method);

  /** Whether {@link Candidate#latencyNanos()} is needed; when false the selector skips the lookups. */
  default boolean usesLatency() {
    return false;
  }
}
