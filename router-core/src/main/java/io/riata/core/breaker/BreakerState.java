package io.riata.core.breaker;

/** A breaker's state, one type per phase. Immutable; the machine returns a new one on every input. */
public sealed interface BreakerState {

  BreakerPhase phase();

  /**
   * Traffic flows; counts the current run of failures.
   *
   * @param failures consecutive failures of any kind
   * @param timeouts consecutive timeouts (reset by any other outcome)
   */
  record Closed(int failures, int timeouts) implements BreakerState {
    public static final Closed FRESH = new Closed(0, 0);

    @Override
    public BreakerPhase phase() {
      return BreakerPhase.CLOSED;
    }
  }

  /**
   * Traffic is refused until {@code retryAtNanos}.
   *
   * @param trips consecutive openings without a full close in between; drives the back-off
   * @param cause the failure that opened it, for operators
   */
  record Open(long openedAtNanos, long retryAtNanos, int trips, String cause) implements BreakerState {
    @Override
    public BreakerPhase phase() {
      return BreakerPhase.OPEN;
    }
  }

  /**
   * Trial traffic; {@code successes} of the needed permits have come back healthy.
   *
   * @param permitsLeft successes still needed to close
   */
  record HalfOpen(int permitsLeft, int successes, int trips) implements BreakerState {
    @Override
    public BreakerPhase phase() {
      return BreakerPhase.HALF_OPEN;
    }
  }
}
