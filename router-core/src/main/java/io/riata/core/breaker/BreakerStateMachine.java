package io.riata.core.breaker;

import java.time.Duration;

/**
 * The breaker's rules, with time as an input. Allowed moves:
 * <pre>
 *   CLOSED    --failure-threshold failures or timeout-threshold timeouts in a row--> OPEN
 *   OPEN      --tick at or after retryAt--> HALF_OPEN
 *   HALF_OPEN --half-open-permits successes--> CLOSED
 *   HALF_OPEN --any failure--> OPEN (cool-down grows by backoff-multiplier)
 *   any       --operator--> OPEN or CLOSED
 * </pre>
 * Outcomes that arrive while open are late news about the past and change nothing.
 */
public final class BreakerStateMachine {

  /** The state after an input, and whether the phase changed. */
  public record Transition(BreakerState state, boolean phaseChanged) {}

  private final BreakerSettings settings;

  public BreakerStateMachine(BreakerSettings settings) {
    this.settings = settings;
  }

  public BreakerState initial() {
    return BreakerState.Closed.FRESH;
  }

  public Transition onSuccess(BreakerState state, long nowNanos) {
    if (state instanceof BreakerState.Closed closed) {
      return stay(closed.failures() == 0 && closed.timeouts() == 0 ? closed : BreakerState.Closed.FRESH);
    }
    if (state instanceof BreakerState.HalfOpen half) {
      if (half.permitsLeft() <= 1) {
        return move(BreakerState.Closed.FRESH);
      }
      return stay(new BreakerState.HalfOpen(half.permitsLeft() - 1, half.successes() + 1, half.trips()));
    }
    return stay(state);
  }

  public Transition onFailure(BreakerState state, boolean timeout, String cause, long nowNanos) {
    if (state instanceof BreakerState.Closed closed) {
      int failures = closed.failures() + 1;
      int timeouts = timeout ? closed.timeouts() + 1 : 0;
      if (failures >= settings.failureThreshold() || timeouts >= settings.timeoutThreshold()) {
        return move(open(1, cause, nowNanos));
      }
      return stay(new BreakerState.Closed(failures, timeouts));
    }
    if (state instanceof BreakerState.HalfOpen half) {
      return move(open(half.trips() + 1, cause, nowNanos));
    }
    return stay(state);
  }

  /** Ends the cool-down when its time has come. */
  public Transition onTick(BreakerState state, long nowNanos) {
    if (state instanceof BreakerState.Open open && nowNanos - open.retryAtNanos() >= 0) {
      return move(new BreakerState.HalfOpen(settings.halfOpenPermits(), 0, open.trips()));
    }
    return stay(state);
  }

  /** Operator override: open for {@code openFor}, or for the longest cool-down when {@code null}. */
  public Transition forceOpen(BreakerState state, Duration openFor, long nowNanos) {
    Duration d = openFor != null ? openFor : settings.maxOpenDuration();
    int trips = state instanceof BreakerState.Open o ? o.trips()
        : state instanceof BreakerState.HalfOpen h ? h.trips() : 1;
    BreakerState next = new BreakerState.Open(nowNanos, nowNanos + d.toNanos(), trips, "forced by operator");
    return new Transition(next, state.phase() != BreakerPhase.OPEN);
  }

  /** Operator override: closed. A breaker that is already closed keeps its failure streak. */
  public Transition forceClose(BreakerState state) {
    if (state instanceof BreakerState.Closed) {
      return stay(state);
    }
    return move(BreakerState.Closed.FRESH);
  }

  /** Operator reset: closed with every count cleared (failure streak, and the trips behind the back-off). */
  public Transition reset(BreakerState state) {
    return new Transition(BreakerState.Closed.FRESH, state.phase() != BreakerPhase.CLOSED);
  }

  private BreakerState.Open open(int trips, String cause, long nowNanos) {
    return new BreakerState.Open(nowNanos, nowNanos + settings.coolDown(trips).toNanos(), trips, cause);
  }

  private static Transition stay(BreakerState s) {
    return new Transition(s, false);
  }

  private static Transition move(BreakerState s) {
    return new Transition(s, true);
  }
}
