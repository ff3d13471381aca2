package io.riata.http.sim;

import java.time.Duration;

/**
 * The head of a simulated chain: {@code startBlock + elapsed / blockTime}, plus an offset set by
 * {@link #set}, or a frozen value while stalled. Time is passed in, so tests can drive it.
 * Not thread-safe; {@link SimulatedProvider} guards it.
 */
final class SimulatedChain {
  private final long startBlock;
  private final long blockTimeNanos;
  private final long originNanos;
  private long offset;
  private boolean stalled;
  private long frozenHead;

  SimulatedChain(long startBlock, Duration blockTime, long nowNanos) {
    this.startBlock = startBlock;
    this.blockTimeNanos = blockTime.toNanos();
    this.originNanos = nowNanos;
  }

  long head(long nowNanos) {
    return stalled ? frozenHead : advancing(nowNanos);
  }

  /** Makes {@link #head} answer {@code value} now; the chain keeps advancing from there. */
  void set(long value, long nowNanos) {
    offset += value - advancing(nowNanos);
    if (stalled) {
      frozenHead = value;
    }
  }

  /** Freezes the head where it is, or releases it; a released head jumps to where it would have been. */
  void stall(boolean stall, long nowNanos) {
    if (stall && !stalled) {
      frozenHead = advancing(nowNanos);
    }
    stalled = stall;
  }

  private long advancing(long nowNanos) {
    long elapsed = Math.max(0, nowNanos - originNanos);
    return Math.max(0, startBlock + offset + elapsed / blockTimeNanos);
  }
}
