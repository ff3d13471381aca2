package io.riata.http.ops.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PathTimingsTest {

  @Test
  void selectionIsCountedInNanosecondBucketsAndReportedInMicroseconds() {
    PathTimings t = new PathTimings(1);
    for (int i = 1; i <= 100; i++) {
      t.selection(i * 10L); // 10 ns .. 1000 ns
    }
    PathTimings.Summary s = t.selection();
    assertEquals(100, s.count());
    assertWithin(0.50, s.p50Micros(), 0.125);
    assertWithin(0.95, s.p95Micros(), 0.125);
    assertWithin(0.99, s.p99Micros(), 0.125);
    assertEquals(1.0, s.maxMicros());
  }

  @Test
  void attemptsAreCountedInMicrosecondBuckets() {
    PathTimings t = new PathTimings(1);
    for (int i = 1; i <= 100; i++) {
      t.attempt(i * 100_000L); // 0.1 ms .. 10 ms
    }
    PathTimings.Summary s = t.attempt();
    assertWithin(5_000, s.p50Micros(), 0.125);
    assertWithin(9_900, s.p99Micros(), 0.125);
    assertEquals(10_000.0, s.maxMicros());
  }

  @Test
  void emptyAndResetReadMinusOne() {
    PathTimings t = new PathTimings(1);
    assertEquals(new PathTimings.Summary(0, -1, -1, -1, -1), t.admission());
    t.admission(500);
    t.reset();
    assertEquals(new PathTimings.Summary(0, -1, -1, -1, -1), t.admission());
  }

  @Test
  void samplesAboutOneCallInN() {
    PathTimings t = new PathTimings(16);
    int sampled = 0;
    for (int i = 0; i < 160_000; i++) {
      if (t.sample()) {
        sampled++;
      }
    }
    assertTrue(sampled > 9_000 && sampled < 11_000, "about 10000 of 160000, got " + sampled);
    assertTrue(new PathTimings(1).sample());
    assertThrows(IllegalArgumentException.class, () -> new PathTimings(0));
  }

  private static void assertWithin(double expected, double actual, double fraction) {
    assertTrue(Math.abs(actual - expected) <= expected * fraction, "expected about " + expected + ", got " + actual);
  }
}
