package io.riata.core.rollup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

  @Test
  void bucketsAreContiguousAndEachValueFallsInItsOwnBucket() {
    for (int b = 0; b < LatencyHistogram.BUCKETS - 1; b++) {
      assertEquals(LatencyHistogram.upperMicros(b), LatencyHistogram.lowerMicros(b + 1), "bucket " + b);
      long lowNanos = LatencyHistogram.lowerMicros(b) * 1000;
      long highNanos = LatencyHistogram.upperMicros(b) * 1000 - 1;
      assertEquals(b, LatencyHistogram.bucketOf(lowNanos));
      assertEquals(b, LatencyHistogram.bucketOf(highNanos));
      long width = LatencyHistogram.upperMicros(b) - LatencyHistogram.lowerMicros(b);
      assertTrue(b < 4 || width * 4 <= LatencyHistogram.lowerMicros(b), "bucket " + b + " too wide");
    }
    assertEquals(LatencyHistogram.BUCKETS - 1, LatencyHistogram.bucketOf(Long.MAX_VALUE));
    assertEquals(0, LatencyHistogram.bucketOf(-5));
  }

  @Test
  void percentilesAreWithinBucketErrorOfTheExactOnes() {
    Random random = new Random(7);
    long[] micros = new long[20_000];
    AtomicLongArray live = new AtomicLongArray(LatencyHistogram.BUCKETS);
    for (int i = 0; i < micros.length; i++) {
      // log-normal-ish: most between 1 ms and 20 ms, a long tail
      micros[i] = (long) Math.exp(8 + random.nextGaussian() * 1.2);
      live.incrementAndGet(LatencyHistogram.bucketOf(micros[i] * 1000));
    }
    Arrays.sort(micros);
    LatencyHistogram h = LatencyHistogram.drain(live);
    assertEquals(micros.length, h.count());
    for (double q : new double[] {0.5, 0.95, 0.99}) {
      double exact = micros[(int) Math.ceil(q * micros.length) - 1];
      double estimate = h.percentileMicros(q);
      assertTrue(Math.abs(estimate - exact) <= exact * 0.125 + 1,
          "p" + q + ": exact " + exact + ", estimate " + estimate);
    }
  }

  @Test
  void mergingAddsBucketsAndTheMergedPercentilesMatchOneHistogramOfEverything() {
    AtomicLongArray a = new AtomicLongArray(LatencyHistogram.BUCKETS);
    AtomicLongArray b = new AtomicLongArray(LatencyHistogram.BUCKETS);
    AtomicLongArray all = new AtomicLongArray(LatencyHistogram.BUCKETS);
    for (int i = 1; i <= 1000; i++) {
      long nanos = i * 37_000L;
      (i % 3 == 0 ? a : b).incrementAndGet(LatencyHistogram.bucketOf(nanos));
      all.incrementAndGet(LatencyHistogram.bucketOf(nanos));
    }
    LatencyHistogram merged = LatencyHistogram.drain(a).merge(LatencyHistogram.drain(b));
    assertEquals(LatencyHistogram.drain(all), merged);
    assertEquals(1000, merged.count());
    assertEquals(-1, LatencyHistogram.empty().percentileMicros(0.5));
    assertEquals(merged, merged.merge(LatencyHistogram.empty()));
  }

  @Test
  void drainingEmptiesTheLiveHistogram() {
    AtomicLongArray live = new AtomicLongArray(LatencyHistogram.BUCKETS);
    live.incrementAndGet(LatencyHistogram.bucketOf(2_000_000));
    assertEquals(1, LatencyHistogram.drain(live).count());
    assertEquals(0, LatencyHistogram.drain(live).buckets().length);
  }
}
