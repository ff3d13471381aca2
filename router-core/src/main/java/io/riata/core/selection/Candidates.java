package io.riata.core.selection;

import java.util.Comparator;

/** Small in-place array helpers for strategies: no allocation, made for a handful of elements. */
final class Candidates {

  /** Ascending latency, unmeasured last; ties and unmeasured ones by configuration order. */
  static final Comparator<Candidate> BY_LATENCY = (a, b) -> {
    boolean am = a.measured();
    boolean bm = b.measured();
    if (am && bm) {
      int c = Double.compare(a.latencyNanos(), b.latencyNanos());
      return c != 0 ? c : Integer.compare(a.configIndex(), b.configIndex());
    }
    if (am != bm) {
      return am ? -1 : 1;
    }
    return Integer.compare(a.configIndex(), b.configIndex());
  };

  /** Ascending {@code priority}, ties by configuration order. */
  static final Comparator<Candidate> BY_PRIORITY = (a, b) -> {
    int c = Integer.compare(a.provider().priority(), b.provider().priority());
    return c != 0 ? c : Integer.compare(a.configIndex(), b.configIndex());
  };

  private Candidates() {}

  /** Stable insertion sort: the fastest choice for the few elements a chain has. */
  static void sort(Candidate[] a, int count, Comparator<Candidate> order) {
    for (int i = 1; i < count; i++) {
      Candidate x = a[i];
      int j = i - 1;
      while (j >= 0 && order.compare(a[j], x) > 0) {
        a[j + 1] = a[j];
        j--;
      }
      a[j + 1] = x;
    }
  }

  /** Moves {@code a[index]} to the front, shifting the ones before it back by one. */
  static void moveToFront(Candidate[] a, int index) {
    moveTo(a, index, 0);
  }

  /** Moves {@code a[from]} to position {@code to <= from}, shifting the ones in between back by one. */
  static void moveTo(Candidate[] a, int from, int to) {
    Candidate x = a[from];
    System.arraycopy(a, to, a, to + 1, from - to);
    a[to] = x;
  }

  /** Rotates {@code a[0..count)} left by {@code by}: element {@code by} becomes the first. */
  static void rotateLeft(Candidate[] a, int count, int by) {
    if (by == 0) {
      return;
    }
    reverse(a, 0, by);
    reverse(a, by, count);
    reverse(a, 0, count);
  }

  private static void reverse(Candidate[] a, int from, int to) {
    for (int i = from, j = to - 1; i < j; i++, j--) {
      Candidate t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** Providers with a weight below one still get a share; config validation should prevent it anyway. */
  static int weight(Candidate c) {
    return Math.max(1, c.provider().weight());
  }

  /** Counts the measured candidates, assuming they were sorted to the front. */
  static int measuredPrefix(Candidate[] a, int count) {
    int m = 0;
    while (m < count && a[m].measured()) {
      m++;
    }
    return m;
  }
}
