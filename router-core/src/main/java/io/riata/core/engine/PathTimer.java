package io.riata.core.engine;

/**
 * Where the engine reports the time of its own steps, for diagnostics. Implementations decide
 * which calls to time ({@link #sample()}) and must be lock-free.
 */
public interface PathTimer {

  PathTimer NONE = new PathTimer() {
    @Override
    public boolean sample() {
      return false;
    }

    @Override
    public void selection(long nanos) {
    }

    @Override
    public void admission(long nanos) {
    }

    @Override
    public void attempt(long nanos) {
    }
  };

  /** Whether to time this step. */
  boolean sample();

  void selection(long nanos);

  void admission(long nanos);

  void attempt(long nanos);
}
