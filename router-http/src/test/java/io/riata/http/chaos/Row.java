package io.riata.http.chaos;

import java.util.List;
import java.util.Locale;

/**
 * One line of the matrix, already formatted. {@code failed} may say what a client got where a
 * failure is the designed answer; a dash where a column does not apply.
 */
record Row(String scenario, String setup, String reads, String failed, String p50, String p99,
           String exclusion, String recovery, String attempts, String notes) {

  static final String NONE = "-";

  /** Counts and latency percentiles of a set of reads. */
  record Stats(int reads, int failed, double p50Ms, double p99Ms, double maxMs) {
    static Stats of(List<ChaosLoad.Read> reads) {
      long[] nanos = reads.stream().mapToLong(ChaosLoad.Read::latencyNanos).sorted().toArray();
      int failed = (int) reads.stream().filter(r -> !r.ok()).count();
      return new Stats(reads.size(), failed, percentile(nanos, 0.50), percentile(nanos, 0.99),
          nanos.length == 0 ? 0 : nanos[nanos.length - 1] / 1e6);
    }

    /** The {@code q} quantile of ascending nanoseconds, in milliseconds; 0 for none. */
    static double percentile(long[] sorted, double q) {
      if (sorted.length == 0) {
        return 0;
      }
      int index = (int) Math.ceil(q * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }
  }

  /** Mean and highest {@code X-Riata-Attempts} over the reads that carried it. */
  static String attempts(List<ChaosLoad.Read> reads) {
    int[] values = reads.stream().mapToInt(ChaosLoad.Read::attempts).filter(a -> a >= 0).toArray();
    if (values.length == 0) {
      return NONE;
    }
    double mean = java.util.Arrays.stream(values).average().orElse(0);
    int max = java.util.Arrays.stream(values).max().orElse(0);
    return String.format(Locale.ROOT, "%.2f (max %d)", mean, max);
  }

  static String ms(double millis) {
    if (millis >= 10_000) {
      return String.format(Locale.ROOT, "%.1f s", millis / 1000);
    }
    return millis >= 100 ? String.format(Locale.ROOT, "%.0f ms", millis) : String.format(Locale.ROOT, "%.1f ms", millis);
  }

  static String seconds(long nanos) {
    return nanos < 0 ? "never" : String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
  }
}
