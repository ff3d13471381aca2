package io.riata.http.ops.diag;

import io.riata.core.engine.PathTimer;
import io.riata.core.rollup.LatencyHistogram;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How long this node's own steps of the request path take, next to what the providers take:
 * selection (ranking candidates from the snapshot), admission (taking a provider's in-flight
 * permit) and the upstream attempt. Each is a lock-free histogram with {@link LatencyHistogram}'s
 * log-linear buckets; recording is one bucket increment and, rarely, a max update, on the
 * calling thread. Selection and admission take well under a microsecond, so they are counted in
 * nanosecond buckets (exact below 4 ns, then within 12.5 %); attempts in microsecond buckets.
 *
 * <p>With {@code sampleEvery} above 1 only one call in that many (at random) is timed, which
 * takes the clock reads and the shared histogram off the other calls; the percentiles stay
 * unbiased, the counts shrink by that factor.
 *
 * <p>Counts run from node start or the last {@link #reset()}.
 */
public final class PathTimings implements PathTimer {

  private final int sampleEvery;

  public PathTimings(int sampleEvery) {
    if (sampleEvery < 1) {
      throw new IllegalArgumentException("sampleEvery must be at least 1, got " + sampleEvery);
    }
    this.sampleEvery = sampleEvery;
  }

  /** Whether to time this call. */
  @Override
  public boolean sample() {
    return sampleEvery == 1 || ThreadLocalRandom.current().nextInt(sampleEvery) == 0;
  }

  public int sampleEvery() {
    return sampleEvery;
  }

  private final Live selection = new Live(true);
  private final Live admission = new Live(true);
  private final Live attempt = new Live(false);

  @Override
  public void selection(long nanos) {
    selection.record(nanos);
  }

  @Override
  public void admission(long nanos) {
    admission.record(nanos);
  }

  @Override
  public void attempt(long nanos) {
    attempt.record(nanos);
  }

  public Summary selection() {
    return selection.summary();
  }

  public Summary admission() {
    return admission.summary();
  }

  public Summary attempt() {
    return attempt.summary();
  }

  /** Starts counting afresh; recordings racing with the reset may land on either side. */
  public void reset() {
    selection.reset();
    admission.reset();
    attempt.reset();
  }

  /** Percentiles and the largest value, in microseconds; -1 when nothing was recorded. */
  public record Summary(long count, double p50Micros, double p95Micros, double p99Micros, double maxMicros) {}

  private static final class Live {
    private final boolean nanoBuckets;
    private final AtomicLongArray buckets = new AtomicLongArray(LatencyHistogram.BUCKETS);
    private final AtomicLong max = new AtomicLong(-1);

    Live(boolean nanoBuckets) {
      this.nanoBuckets = nanoBuckets;
    }

    void record(long nanos) {
      // LatencyHistogram buckets microseconds; fed nanoseconds x 1000 it buckets nanoseconds.
      buckets.incrementAndGet(LatencyHistogram.bucketOf(nanoBuckets ? nanos * 1000 : nanos));
      if (nanos > max.get()) {
        max.accumulateAndGet(nanos, Math::max);
      }
    }

    Summary summary() {
      long[] copy = new long[LatencyHistogram.BUCKETS];
      for (int i = 0; i < copy.length; i++) {
        copy[i] = buckets.get(i);
      }
      LatencyHistogram h = new LatencyHistogram(copy);
      double scale = nanoBuckets ? 1000.0 : 1.0;
      long m = max.get();
      double maxMicros = m < 0 ? -1 : m / 1000.0;
      return new Summary(h.count(),
          scaled(h.percentileMicros(0.50), scale, maxMicros), scaled(h.percentileMicros(0.95), scale, maxMicros),
          scaled(h.percentileMicros(0.99), scale, maxMicros), maxMicros);
    }

    /** A bucket's midpoint may lie above the largest value seen; never report more than that. */
    private static double scaled(double value, double scale, double maxMicros) {
      return value < 0 ? -1 : Math.min(value / scale, maxMicros);
    }

    void reset() {
      for (int i = 0; i < LatencyHistogram.BUCKETS; i++) {
        buckets.set(i, 0);
      }
      max.set(-1);
    }
  }
}
