package io.riata.core.engine;

/** Time that moves only when a test says so. */
final class ManualClock implements EngineClock {
  private long nanos = 1_000_000_000L;
  private long millis = 1_700_000_000_000L;

  @Override
  public long nanoTime() {
    return nanos;
  }

  @Override
  public long currentTimeMillis() {
    return millis;
  }

  void advanceTo(long atNanos) {
    if (atNanos > nanos) {
      millis += (atNanos - nanos) / 1_000_000;
      nanos = atNanos;
    }
  }
}
