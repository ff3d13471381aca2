package io.riata.core.breaker;

import java.time.Duration;

/**
 * When a breaker opens and for how long.
 *
 * @param failureThreshold  consecutive failures of any kind that open a closed breaker
 * @param timeoutThreshold  consecutive timeouts that open it (timeouts cost callers the most)
 * @param openDuration      first cool-down before half-open
 * @param maxOpenDuration   ceiling of the cool-down as it grows with repeated trips
 * @param backoffMultiplier growth of the cool-down per consecutive trip, at least 1
 * @param halfOpenPermits   successes in half-open that close the breaker
 */
public record BreakerSettings(
    int failureThreshold,
    int timeoutThreshold,
    Duration openDuration,
    Duration maxOpenDuration,
    double backoffMultiplier,
    int halfOpenPermits) {

  public BreakerSettings {
    if (failureThreshold < 1 || timeoutThreshold < 1 || halfOpenPermits < 1) {
      throw new IllegalArgumentException("breaker thresholds and half-open permits must be at least 1");
    }
    if (openDuration.isNegative() || openDuration.isZero() || maxOpenDuration.compareTo(openDuration) < 0) {
      throw new IllegalArgumentException("need 0 < open-duration <= max-open-duration");
    }
    if (backoffMultiplier < 1.0) {
      throw new IllegalArgumentException("backoff-multiplier must be at least 1.0, got " + backoffMultiplier);
    }
  }

  /** The cool-down after the {@code trips}-th consecutive trip (1-based). */
  public Duration coolDown(int trips) {
    double nanos = openDuration.toNanos() * Math.pow(backoffMultiplier, Math.max(0, trips - 1));
    long capped = (long) Math.min(nanos, (double) maxOpenDuration.toNanos());
    return Duration.ofNanos(capped);
  }
}
