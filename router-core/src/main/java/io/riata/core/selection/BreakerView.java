package io.riata.core.selection;

import io.riata.core.breaker.BreakerPhase;

/** The node-local breaker state per provider (HTTP transport): the authority's, or open if tripped locally. */
@FunctionalInterface
public interface BreakerView {
  BreakerPhase phase(String providerId);
}
