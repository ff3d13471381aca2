package io.riata.cluster.node;

import java.time.Duration;
import java.util.function.LongConsumer;

/**
 * Notices that this JVM stood still (SIGSTOP, a frozen VM, a very long GC pause) for longer than
 * {@code max-pause}: a thread runs every {@link #TICK} and compares the monotonic clock with its
 * previous run. While the JVM stood still the other nodes may have found it unreachable, downed
 * it and started its entities and the singleton elsewhere, and it cannot tell from its own view,
 * which still says Up. So after such a pause it trips once and for all: it stops vouching for
 * this node's ownership and calls {@code onTrip} (which downs the node).
 *
 * <p>{@link #vouches} also looks at the clock itself, so a thread that answers right after the
 * JVM resumes, before the guard's own thread has run, already sees the pause.
 */
public final class PauseGuard implements AutoCloseable {

  /** How often the guard's thread runs. */
  public static final Duration TICK = Duration.ofMillis(100);

  /** What the guard says at one moment. */
  public record Status(boolean enabled, long maxPauseMillis, long sinceLastRunMillis, boolean tripped,
                       long trippedPauseMillis, long longestPauseMillis) {}

  private final long maxPauseNanos;
  private final LongConsumer onTrip;
  private volatile long lastRunNanos;
  private volatile long longestGapNanos;
  /** The pause that tripped the guard, or 0 while it has not tripped. */
  private volatile long trippedPauseNanos;
  private volatile Thread thread;

  /**
   * @param maxPause the longest stand-still this node survives; {@link Duration#ZERO}: the guard is off
   * @param onTrip   called once, with the pause in nanoseconds, when the guard trips
   */
  public PauseGuard(Duration maxPause, long nowNanos, LongConsumer onTrip) {
    this.maxPauseNanos = maxPause.toNanos();
    this.onTrip = onTrip;
    this.lastRunNanos = nowNanos;
  }

  /** Starts the guard's thread (a daemon); a guard that is off starts none. */
  public PauseGuard start() {
    if (maxPauseNanos > 0) {
      Thread t = new Thread(this::loop, "riata-pause-guard");
      t.setDaemon(true);
      thread = t;
      t.start();
    }
    return this;
  }

  private void loop() {
    while (!Thread.currentThread().isInterrupted()) {
      try {
        Thread.sleep(TICK.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      ran(System.nanoTime());
    }
  }

  /** One run of the guard at {@code nowNanos}; true when this run found the pause that trips it. */
  public boolean ran(long nowNanos) {
    long gap = nowNanos - lastRunNanos;
    if (gap > longestGapNanos) {
      longestGapNanos = gap;
    }
    boolean trips = maxPauseNanos > 0 && gap > maxPauseNanos && trippedPauseNanos == 0;
    if (trips) {
      // Before the new run time is visible: vouches() must never see a fresh run and no trip.
      trippedPauseNanos = gap;
    }
    lastRunNanos = nowNanos;
    if (trips) {
      onTrip.accept(gap);
    }
    return trips;
  }

  /**
   * Whether this node may still claim what it hosts at {@code nowNanos}: the guard has not
   * tripped, and has run within {@code max-pause} (otherwise the JVM may just have resumed).
   */
  public boolean vouches(long nowNanos) {
    return maxPauseNanos == 0 || (trippedPauseNanos == 0 && nowNanos - lastRunNanos <= maxPauseNanos);
  }

  /**
   * Takes a trip back: for a node alone in its cluster, whom nobody can have downed while it
   * stood still. The guard goes on watching for the next pause.
   */
  public void forgive() {
    trippedPauseNanos = 0;
  }

  public boolean tripped() {
    return trippedPauseNanos != 0;
  }

  public Status status(long nowNanos) {
    long sinceLastRun = maxPauseNanos > 0 ? nowNanos - lastRunNanos : 0;
    return new Status(maxPauseNanos > 0, maxPauseNanos / 1_000_000, sinceLastRun / 1_000_000,
        tripped(), trippedPauseNanos / 1_000_000, longestGapNanos / 1_000_000);
  }

  @Override
  public void close() {
    Thread t = thread;
    if (t != null) {
      t.interrupt();
    }
  }
}
