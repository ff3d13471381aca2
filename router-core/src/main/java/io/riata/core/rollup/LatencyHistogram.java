package io.riata.core.rollup;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Latencies counted in fixed buckets, so histograms from any node and any interval merge by adding
 * bucket counts. Buckets are log-linear over microseconds: below 4 us one bucket per microsecond,
 * then four buckets per power of two, up to about 67 s (the last bucket takes everything longer).
 * A bucket is at most a quarter of its lower bound wide, so a percentile read as the bucket's
 * midpoint is within 12.5% of the true value.
 *
 * <p>Immutable. {@code buckets} is stored without trailing empty buckets to keep messages small.
 */
public record LatencyHistogram(long[] buckets) {

  /** Number of buckets; the last one is open-ended. */
  public static final int BUCKETS = 104;

  private static final LatencyHistogram EMPTY = new LatencyHistogram(new long[0]);

  public LatencyHistogram {
    int n = buckets.length;
    while (n > 0 && buckets[n - 1] == 0) {
      n--;
    }
    buckets = n == buckets.length ? buckets.clone() : Arrays.copyOf(buckets, n);
  }

  public static LatencyHistogram empty() {
    return EMPTY;
  }

  /** The bucket a latency falls in; negative latencies count as zero. */
  public static int bucketOf(long nanos) {
    long us = Math.max(0, nanos) / 1000;
    if (us < 4) {
      return (int) us;
    }
    int octave = 63 - Long.numberOfLeadingZeros(us);
    int sub = (int) ((us >>> (octave - 2)) & 3);
    return Math.min(octave * 4 + sub - 4, BUCKETS - 1);
  }

  /** Lowest latency (microseconds) of a bucket. */
  public static long lowerMicros(int bucket) {
    if (bucket < 4) {
      return bucket;
    }
    int octave = (bucket + 4) / 4;
    int sub = (bucket + 4) % 4;
    return (long) (4 + sub) << (octave - 2);
  }

  /** One past the highest latency (microseconds) of a bucket. */
  public static long upperMicros(int bucket) {
    return bucket < 4 ? bucket + 1 : lowerMicros(bucket) + (1L << ((bucket + 4) / 4 - 2));
  }

  /** Copies and clears a live histogram; increments racing with this land in the next copy. */
  static LatencyHistogram drain(AtomicLongArray live) {
    long[] out = new long[BUCKETS];
    boolean any = false;
    for (int i = 0; i < BUCKETS; i++) {
      if (live.get(i) != 0) {
        out[i] = live.getAndSet(i, 0);
        any |= out[i] != 0;
      }
    }
    return any ? new LatencyHistogram(out) : EMPTY;
  }

  public long count() {
    long n = 0;
    for (long b : buckets) {
      n += b;
    }
    return n;
  }

  public LatencyHistogram merge(LatencyHistogram other) {
    if (other.buckets.length == 0) {
      return this;
    }
    if (buckets.length == 0) {
      return other;
    }
    long[] sum = Arrays.copyOf(buckets, Math.max(buckets.length, other.buckets.length));
    for (int i = 0; i < other.buckets.length; i++) {
      sum[i] += other.buckets[i];
    }
    return new LatencyHistogram(sum);
  }

  /**
   * The latency (microseconds, the bucket's midpoint) below which a fraction {@code q} of the
   * samples fall, or -1 when empty.
   */
  public double percentileMicros(double q) {
    long total = count();
    if (total == 0) {
      return -1;
    }
    long rank = Math.max(1, (long) Math.ceil(q * total));
    long seen = 0;
    for (int i = 0; i < buckets.length; i++) {
      seen += buckets[i];
      if (seen >= rank) {
        return (lowerMicros(i) + upperMicros(i)) / 2.0;
      }
    }
    return (lowerMicros(buckets.length - 1) + upperMicros(buckets.length - 1)) / 2.0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LatencyHistogram h && Arrays.equals(buckets, h.buckets);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(buckets);
  }

  @Override
  public String toString() {
    return "LatencyHistogram" + Arrays.toString(buckets);
  }
}
