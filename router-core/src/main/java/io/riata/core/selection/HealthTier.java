package io.riata.core.selection;

/**
 * How much a provider is trusted right now. The selector ranks by tier after the strategy has
 * ordered the candidates, so within a tier the strategy's order stands.
 */
public enum HealthTier {
  /** Breaker closed, not rate-limited, and its lag behind the chain head is known to be acceptable. */
  HEALTHY,
  /** Breaker half-open, or its lag is unknown (it never reported a head, or its head is not credible). */
  UNCERTAIN,
  /** It asked us to back off and the back-off has not ended; tried only when nothing else is left. */
  RATE_LIMITED
}
