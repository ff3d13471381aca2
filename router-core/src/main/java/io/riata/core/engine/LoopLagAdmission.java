package io.riata.core.engine;

import java.time.Duration;

/**
 * Admission on one event loop's own overload signal: how late a probe task, due at a fixed
 * pace, runs on that loop (its lag). A loop that is behind leaves requests waiting in its
 * sockets; the lag says how long, whether its own work or a lack of CPU keeps it.
 *
 * <p>While every probe for a whole {@code interval} ran {@code target} or more late (a standing
 * lag, not one pause such as a collection), the share of new requests this loop admits is cut by
 * a quarter, at most once an interval; while probes run on time it grows back by a twentieth an
 * interval, to all. Requests not admitted are answered at once by the caller (HTTP 503) before
 * anything else is done for them, so a loop that is behind spends little on what it cannot serve
 * and gets back on time. The share is spread evenly over the requests (a credit, not chance): at
 * one half, every second request is admitted.
 *
 * <p>One instance per event loop, used only on that loop (no lock, no atomic on the request path);
 * time is passed in.
 */
public final class LoopLagAdmission {

  /**
   * @param target   lag from which a loop counts as behind
   * @param interval how long the lag must stand before the share is cut, and the pace of each
   *                 later cut or step back up
   */
  public record Settings(Duration target, Duration interval) {
    public Settings {
      if (target.isNegative() || target.isZero()) {
        throw new IllegalArgumentException("loop lag target must be above 0, got " + target);
      }
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("loop lag interval must be above 0, got " + interval);
      }
    }
  }

  /** What the share is multiplied by at each cut. */
  static final double CUT = 0.75;
  /** What the share grows by at each step back up. */
  static final double STEP = 0.05;
  /** The least share admitted: a loop keeps serving some requests however far behind it is. */
  static final double FLOOR = 0.05;
  private static final long NONE = Long.MIN_VALUE;

  private final long targetNanos;
  private final long intervalNanos;
  /** When the first of the late probes in a row ran; {@link #NONE} after an on-time one. */
  private long lateSince = NONE;
  private long lastChange = NONE;
  /** Written on the loop only; volatile so that a metrics reader sees it. */
  private volatile double share = 1;
  private double credit;

  public LoopLagAdmission(Settings settings) {
    this.targetNanos = settings.target().toNanos();
    this.intervalNanos = settings.interval().toNanos();
  }

  /** The probe due at {@code nowNanos - lagNanos} ran at {@code nowNanos}. */
  public void probed(long nowNanos, long lagNanos) {
    boolean changeDue = lastChange == NONE || nowNanos - lastChange >= intervalNanos;
    if (lagNanos < targetNanos) {
      lateSince = NONE;
      if (share < 1 && changeDue) {
        share = Math.min(1, share + STEP);
        lastChange = nowNanos;
      }
      return;
    }
    if (lateSince == NONE) {
      lateSince = nowNanos;
    } else if (nowNanos - lateSince >= intervalNanos && changeDue) {
      share = Math.max(FLOOR, share * CUT);
      lastChange = nowNanos;
    }
  }

  /** Whether the next request is admitted; {@code false}: answer it at once, do nothing else for it. */
  public boolean admits() {
    double s = share;
    if (s >= 1) {
      return true;
    }
    credit += s;
    if (credit >= 1) {
      credit -= 1;
      return true;
    }
    return false;
  }

  /** The share of requests admitted now, 0.05 .. 1. Any thread. */
  public double share() {
    return share;
  }
}
