package io.riata.core.engine;

import io.riata.core.config.ProviderConfig;

/**
 * When to send a read to a second provider while the first has not answered yet. The first
 * good answer wins; the other attempt is cancelled. Writes are never hedged, whatever this says.
 */
@FunctionalInterface
public interface HedgePolicy {

  /** Never hedge. */
  HedgePolicy NONE = (chain, first, method) -> -1;

  /** Nanoseconds after the first attempt started to send the second, or a negative number for no hedge. */
  long delayNanos(ChainContext chain, ProviderConfig first, String method);
}
