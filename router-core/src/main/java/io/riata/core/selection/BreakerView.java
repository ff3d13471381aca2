package io.riata.core.selection;

import io.riata.core.breaker.BreakerPhase;

/** The node-local breaker state per provider (HTTP transport): the authority's, or open if tripped locally. */
@FunctionalInterface
public interface BreakerView {
  BreakerPhase phase(String providerId);

  /**
   * Whether the provider rate-limited this node and its cool-down (its {@code Retry-After}) has
   * not run out at {@code nowMillis}: known here at once, before the pool's snapshot says so.
   */
  default boolean rateLimitedAt(String providerId, long nowMillis) {
    return false;
  }
}
