package io.riata.core.engine;

import io.riata.core.config.ProviderConfig;
import io.riata.core.failover.OutcomeKind;

/**
 * Bounds the attempts in flight to each provider from this node. A full provider is skipped at
 * once (the request moves to the next candidate), never queued for; when every candidate is at
 * its limit, the first one still below its hard cap takes the request. Head probes do not pass
 * through here: a busy provider must not look dead to its own probes.
 */
public interface ProviderLimiter {

  /** A slot taken for one attempt; given back exactly once when the attempt ends. */
  interface Permit {
    /**
     * @param kind         how the attempt ended, or {@code null} when it was cancelled (a hedge that lost)
     * @param startedNanos when it started, on the engine's clock
     * @param nanos        how long it took
     */
    void release(OutcomeKind kind, long startedNanos, long nanos);
  }

  /** A slot for one attempt to {@code provider}, or {@code null} when it is at its limit. */
  Permit tryAcquire(ProviderConfig provider);

  /**
   * A slot up to the provider's hard cap ({@code max_concurrency}), past a lower limit the
   * limiter keeps below it: for a request that no provider has room for; {@code null} at the cap.
   */
  Permit tryAcquireUpToCap(ProviderConfig provider);

  /** Attempts in flight to the provider from this node. */
  int inFlight(String providerId);
}
