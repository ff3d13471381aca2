package io.riata.core.engine;

/** The engine's two clocks, passed in so tests can drive time by hand. */
public interface EngineClock {
  EngineClock SYSTEM = new EngineClock() {
    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public long currentTimeMillis() {
      return System.currentTimeMillis();
    }
  };

  /** Monotonic time for durations and deadlines. */
  long nanoTime();

  /** Wall-clock time, for rate-limit deadlines shared with the cluster and for decision samples. */
  long currentTimeMillis();
}
