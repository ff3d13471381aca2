package io.riata.core.breaker;

/** The three states of a circuit breaker, as seen by selection and the dashboard. */
public enum BreakerPhase {
  /** Traffic flows. */
  CLOSED,
  /** Traffic is refused until the cool-down ends. */
  OPEN,
  /** A few probe requests are let through; their outcome closes or reopens the breaker. */
  HALF_OPEN
}
