package io.riata.core.engine;

import io.riata.core.config.ProviderConfig;
import io.riata.core.failover.OutcomeKind;

/**
 * Bounds the attempts in flight to each provider from this node. A full provider is skipped at
 * once (the request moves to the next candidate), never queued for. Head probes do not pass
 * through here: a busy provider must not look dead to its own probes.
 */
public interface ProviderLimiter {

  /** A slot taken for one attempt; given back exactly once when the attempt ends. */
  interface Permit {
    /**
     * @param kind  how the attempt ended, or {@code null} when it was cancelled (a hedge that lost)
     * @param nanos how long it took
     */
    void release(OutcomeKind kind, long nanos);
  }

  /** A slot for one attempt to {@code provider}, or {@code null} when it has no room. */
  Permit tryAcquire(ProviderConfig provider);

  /** Attempts in flight to the provider from this node. */
  int inFlight(String providerId);
}
