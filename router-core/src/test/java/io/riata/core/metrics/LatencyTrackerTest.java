package io.riata.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LatencyTrackerTest {

  @Test
  void unmeasuredIsNaN() {
    LatencyTracker t = new LatencyTracker();
    assertTrue(Double.isNaN(t.latencyNanos("a", "eth_call")));
    t.record("a", "eth_call", 1_000);
    assertTrue(Double.isNaN(t.latencyNanos("a", "eth_getLogs")));
    assertTrue(Double.isNaN(t.latencyNanos("b", "eth_call")));
  }

  @Test
  void firstSampleIsTakenAsIsThenSmoothed() {
    LatencyTracker t = new LatencyTracker();
    t.record("a", "eth_call", 100);
    assertEquals(100, t.latencyNanos("a", "eth_call"), 1e-9);
    t.record("a", "eth_call", 200);
    assertEquals(120, t.latencyNanos("a", "eth_call"), 1e-9);
    t.record("a", "eth_call", 120);
    assertEquals(120, t.latencyNanos("a", "eth_call"), 1e-9);
  }

  @Test
  void keepsMethodsAndProvidersApart() {
    LatencyTracker t = new LatencyTracker();
    t.record("a", "eth_blockNumber", 5_000_000);
    t.record("a", "eth_getLogs", 9_000_000_000L);
    t.record("b", "eth_blockNumber", 40_000_000);
    assertEquals(5e6, t.latencyNanos("a", "eth_blockNumber"));
    assertEquals(9e9, t.latencyNanos("a", "eth_getLogs"));
    assertEquals(4e7, t.latencyNanos("b", "eth_blockNumber"));
  }

  @Test
  void ignoresNegativeDurations() {
    LatencyTracker t = new LatencyTracker();
    t.record("a", "eth_call", -5);
    assertTrue(Double.isNaN(t.latencyNanos("a", "eth_call")));
  }

  @Test
  void methodsBeyondTheBoundShareOneOverflowEstimate() {
    LatencyTracker t = new LatencyTracker();
    for (int i = 0; i < LatencyTracker.DEFAULT_MAX_METHODS; i++) {
      t.record("a", "m" + i, 1_000);
    }
    assertEquals(LatencyTracker.DEFAULT_MAX_METHODS, t.methodCount("a"));
    assertTrue(Double.isNaN(t.latencyNanos("a", "made_up_1")), "overflow not used yet");
    t.record("a", "made_up_1", 50_000);
    t.record("a", "made_up_2", 50_000);
    assertEquals(LatencyTracker.DEFAULT_MAX_METHODS, t.methodCount("a"));
    assertEquals(50_000, t.latencyNanos("a", "made_up_1"));
    assertEquals(50_000, t.latencyNanos("a", "never_sent"));
    assertEquals(1_000, t.latencyNanos("a", "m7"), "tracked methods keep their own estimate");
    t.record("b", "made_up_1", 7);
    assertEquals(7, t.latencyNanos("b", "made_up_1"), "the bound is per provider");
  }

  @Test
  void rejectsBadSettings() {
    assertThrows(IllegalArgumentException.class, () -> new LatencyTracker(0, 10));
    assertThrows(IllegalArgumentException.class, () -> new LatencyTracker(1.5, 10));
    assertThrows(IllegalArgumentException.class, () -> new LatencyTracker(Double.NaN, 10));
    assertThrows(IllegalArgumentException.class, () -> new LatencyTracker(0.2, -1));
  }

  @Test
  void concurrentRecordingKeepsTheBoundAndStaysWithinTheSampleRange() throws Exception {
    LatencyTracker t = new LatencyTracker(0.2, 64);
    int threads = 8;
    int perThread = 50_000;
    List<String> providers = List.of("a", "b", "c");
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (int n = 0; n < threads; n++) {
      done.add(pool.submit(() -> {
        start.await();
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int i = 0; i < perThread; i++) {
          String provider = providers.get(rnd.nextInt(providers.size()));
          t.record(provider, "m" + rnd.nextInt(100), 1_000 + rnd.nextInt(9_001));
          double seen = t.latencyNanos(provider, "m" + rnd.nextInt(100));
          if (!Double.isNaN(seen) && (seen < 1_000 || seen > 10_000)) {
            throw new AssertionError("read " + seen);
          }
        }
        return null;
      }));
    }
    start.countDown();
    for (Future<?> f : done) {
      f.get(30, TimeUnit.SECONDS);
    }
    pool.shutdown();
    for (String p : providers) {
      assertEquals(64, t.methodCount(p), "exactly the bound, no more, no less");
      for (int m = 0; m < 100; m++) {
        double v = t.latencyNanos(p, "m" + m);
        assertFalse(Double.isNaN(v), p + "/m" + m);
        assertTrue(v >= 1_000 && v <= 10_000, p + "/m" + m + " = " + v);
      }
    }
  }

  @Test
  void theP95EstimateSettlesNearThe95thPercentileAndFollowsAStep() {
    LatencyTracker t = new LatencyTracker();
    java.util.Random random = new java.util.Random(7);
    for (int i = 0; i < 20_000; i++) {
      t.record("a", "m", (long) (random.nextDouble() * 100_000_000)); // uniform 0 .. 100 ms: p95 is 95 ms
    }
    double p95 = t.p95Nanos("a", "m") / 1e6;
    assertTrue(p95 > 85 && p95 < 105, "p95 of uniform 0..100 ms estimated as " + p95 + " ms");
    double mean = t.latencyNanos("a", "m") / 1e6;
    assertTrue(mean > 30 && mean < 70, "the average stays an average: " + mean);
    for (int i = 0; i < 60; i++) {
      t.record("a", "m", 2_000_000_000L); // the provider turns 2 s slow
    }
    assertTrue(t.p95Nanos("a", "m") > 1e9, "after 60 slow answers the p95 is " + t.p95Nanos("a", "m") / 1e6 + " ms");
    assertTrue(Double.isNaN(t.p95Nanos("a", "other")));
  }
}
