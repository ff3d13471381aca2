package io.riata.core.selection;

import io.riata.core.breaker.BreakerPhase;

/**
 * What the chain's pool knows about one provider, as published in a {@link ChainSnapshot}.
 *
 * @param head                  last block number the provider reported, or -1 if it never has
 * @param lag                   blocks behind the chain head, or -1 when unknown (never "zero")
 * @param drained               an operator took it out of rotation; in-flight requests finish
 * @param rateLimitedUntilMillis wall-clock millis until which the provider asked us to back off; 0 for none
 * @param breaker               the breaker authority's state for the HTTP transport
 * @param rogue                 its head is further above what a quorum of providers reached than the
 *                              chain's {@code max_ahead_blocks}: it is not selected
 * @param safe                  the provider's {@code safe} block, or -1 when unknown (not probed yet, or not offered)
 * @param finalized             the provider's {@code finalized} block, or -1 when unknown
 * @param finalizedWentBack     its finalized block went below one it reported before, and has not
 *                              reached that height again
 */
public record ProviderStatus(
    String providerId,
    long head,
    long lag,
    boolean drained,
    long rateLimitedUntilMillis,
    BreakerPhase breaker,
    boolean rogue,
    long safe,
    long finalized,
    boolean finalizedWentBack) {

  /** A provider that is not rogue, with finality unknown. */
  public ProviderStatus(String providerId, long head, long lag, boolean drained, long rateLimitedUntilMillis,
                        BreakerPhase breaker) {
    this(providerId, head, lag, drained, rateLimitedUntilMillis, breaker, false);
  }

  /** Finality unknown. */
  public ProviderStatus(String providerId, long head, long lag, boolean drained, long rateLimitedUntilMillis,
                        BreakerPhase breaker, boolean rogue) {
    this(providerId, head, lag, drained, rateLimitedUntilMillis, breaker, rogue, -1, -1, false);
  }

  public static ProviderStatus unknown(String providerId) {
    return new ProviderStatus(providerId, -1, -1, false, 0, BreakerPhase.CLOSED, false);
  }

  public boolean rateLimitedAt(long nowMillis) {
    return rateLimitedUntilMillis > nowMillis;
  }
}
