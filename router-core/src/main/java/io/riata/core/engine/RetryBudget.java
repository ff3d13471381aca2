package io.riata.core.engine;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How many retries and hedges one chain may send, so that a brown-out is not multiplied by the
 * retries it causes. Over a sliding window (one-second slots), the retries allowed are
 * {@code ratio} times the first attempts in the window, but never fewer than {@code minPerSecond}
 * for each second of it, so that a quiet chain can still fail over. The floor is a minimum, not an
 * addition: on a busy chain the share alone decides, and attempts per request stay within
 * {@code 1 + ratio}. A retry beyond that is not sent: the request ends with what it has.
 *
 * <p>Lock-free and approximate: a slot that turns over while another thread counts into it may
 * lose that count, which errs by one request in thousands and never blocks.
 */
public final class RetryBudget {

  /**
   * @param ratio        retries (hedges included) allowed per first attempt, over the window
   * @param minPerSecond retries allowed per second of the window however few the first attempts
   * @param window       how far back first attempts and retries are counted; whole seconds
   */
  public record Settings(double ratio, int minPerSecond, Duration window) {
    public Settings {
      if (!(ratio >= 0)) {
        throw new IllegalArgumentException("retry budget ratio must be 0 or more, got " + ratio);
      }
      if (minPerSecond < 0) {
        throw new IllegalArgumentException("retry budget min-per-second must be 0 or more, got " + minPerSecond);
      }
      if (window.toSeconds() < 1 || window.toSeconds() > 600) {
        throw new IllegalArgumentException("retry budget window must be 1 s .. 10 min, got " + window);
      }
    }

    /** No limit (an infinite ratio): every retry is allowed. */
    public static final Settings UNLIMITED = new Settings(Double.POSITIVE_INFINITY, 0, Duration.ofSeconds(1));
  }

  private final double ratio;
  private final boolean unlimited;
  private final long floor;
  private final int slots;
  /** The second each slot counts, as {@code nanoTime / 1e9}. */
  private final AtomicLongArray seconds;
  private final AtomicLongArray firsts;
  private final AtomicLongArray retries;

  public RetryBudget(Settings settings) {
    this.ratio = settings.ratio();
    this.unlimited = Double.isInfinite(ratio);
    this.slots = (int) settings.window().toSeconds();
    this.floor = (long) settings.minPerSecond() * slots;
    this.seconds = new AtomicLongArray(slots);
    this.firsts = new AtomicLongArray(slots);
    this.retries = new AtomicLongArray(slots);
    for (int i = 0; i < slots; i++) {
      seconds.set(i, Long.MIN_VALUE);
    }
  }

  /** Counts a request's first attempt. */
  public void first(long nowNanos) {
    firsts.incrementAndGet(slot(nowNanos / 1_000_000_000L));
  }

  /** Takes one retry (or hedge) from the budget; {@code false} when it is spent. */
  public boolean tryRetry(long nowNanos) {
    if (unlimited) {
      return true;
    }
    long second = nowNanos / 1_000_000_000L;
    int current = slot(second);
    long firstsSeen = 0;
    long retriesSeen = 0;
    for (int i = 0; i < slots; i++) {
      long s = seconds.get(i);
      if (s > second - slots && s <= second) {
        firstsSeen += firsts.get(i);
        retriesSeen += retries.get(i);
      }
    }
    if (retriesSeen + 1 > Math.max(ratio * firstsSeen, floor)) {
      return false;
    }
    retries.incrementAndGet(current);
    return true;
  }

  /** The slot of {@code second}, cleared first if it still holds an older second. */
  private int slot(long second) {
    int i = (int) Math.floorMod(second, (long) slots);
    long held = seconds.get(i);
    if (held != second && seconds.compareAndSet(i, held, second)) {
      firsts.set(i, 0);
      retries.set(i, 0);
    }
    return i;
  }
}
