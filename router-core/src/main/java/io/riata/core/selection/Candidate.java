package io.riata.core.selection;

import io.riata.core.config.ProviderConfig;

/**
 * One eligible provider as a {@link Strategy} sees it. The selector reuses instances between
 * requests, so a strategy must not keep references to them after {@link Strategy#order} returns.
 */
public final class Candidate {
  private ProviderConfig provider;
  private int configIndex;
  private HealthTier tier;
  private double latencyNanos;
  /** Known to be below the block the request names (selection's own mark, not for strategies). */
  private boolean behind;

  /**
   * @param configIndex  position of the provider in the chain's configuration; the usual tie-breaker
   * @param latencyNanos smoothed latency of the request's method on this provider, {@code NaN} if unmeasured
   */
  public Candidate(ProviderConfig provider, int configIndex, HealthTier tier, double latencyNanos) {
    set(provider, configIndex, tier, latencyNanos);
  }

  Candidate() {}

  void set(ProviderConfig provider, int configIndex, HealthTier tier, double latencyNanos) {
    this.provider = provider;
    this.configIndex = configIndex;
    this.tier = tier;
    this.latencyNanos = latencyNanos;
    this.behind = false;
  }

  void behind(boolean value) {
    behind = value;
  }

  boolean behind() {
    return behind;
  }

  void clear() {
    provider = null;
  }

  public ProviderConfig provider() {
    return provider;
  }

  public int configIndex() {
    return configIndex;
  }

  public HealthTier tier() {
    return tier;
  }

  /**
   * Latency of the request's method on this provider, or {@code NaN} when unmeasured. Also
   * {@code NaN} for strategies whose {@link Strategy#usesLatency()} is false: the selector skips the lookup.
   */
  public double latencyNanos() {
    return latencyNanos;
  }

  public boolean measured() {
    return !Double.isNaN(latencyNanos);
  }

  @Override
  public String toString() {
    return (provider == null ? "-" : provider.id()) + "#" + configIndex + "/" + tier + "/" + latencyNanos;
  }
}
