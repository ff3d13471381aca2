package io.riata.core.selection;

/** Recent latency of one method on one provider. */
@FunctionalInterface
public interface LatencyView {
  /** Smoothed latency in nanoseconds, or {@code Double.NaN} when not yet measured. */
  double latencyNanos(String providerId, String method);

  /** Recent 95th percentile in nanoseconds, or {@code Double.NaN} when not known. */
  default double p95Nanos(String providerId, String method) {
    return Double.NaN;
  }
}
