package io.riata.core.breaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BreakerStateMachineTest {

  private static final long SECOND = 1_000_000_000L;
  private final BreakerSettings settings =
      new BreakerSettings(5, 3, Duration.ofSeconds(1), Duration.ofSeconds(5), 2.0, 2);
  private final BreakerStateMachine machine = new BreakerStateMachine(settings);

  private BreakerState fail(BreakerState s, int times, boolean timeout) {
    for (int i = 0; i < times; i++) {
      s = machine.onFailure(s, timeout, "boom", 0).state();
    }
    return s;
  }

  @Test
  void opensAfterFiveConsecutiveFailures() {
    BreakerState s = fail(machine.initial(), 4, false);
    assertEquals(BreakerPhase.CLOSED, s.phase());
    BreakerStateMachine.Transition t = machine.onFailure(s, false, "http 503", 0);
    assertTrue(t.phaseChanged());
    BreakerState.Open open = assertInstanceOf(BreakerState.Open.class, t.state());
    assertEquals(SECOND, open.retryAtNanos());
    assertEquals("http 503", open.cause());
  }

  @Test
  void opensAfterThreeConsecutiveTimeouts() {
    assertEquals(BreakerPhase.OPEN, fail(machine.initial(), 3, true).phase());
  }

  @Test
  void aSuccessResetsTheRun() {
    BreakerState s = fail(machine.initial(), 4, false);
    s = machine.onSuccess(s, 0).state();
    assertEquals(BreakerPhase.CLOSED, fail(s, 4, false).phase());
  }

  @Test
  void anotherFailureBreaksATimeoutRun() {
    BreakerState s = fail(machine.initial(), 2, true);
    s = fail(s, 1, false);
    s = fail(s, 1, true);
    assertEquals(BreakerPhase.CLOSED, s.phase());
  }

  @Test
  void halfOpensWhenTheCoolDownEndsAndClosesAfterEnoughSuccesses() {
    BreakerState s = fail(machine.initial(), 5, false);
    assertFalse(machine.onTick(s, SECOND - 1).phaseChanged());
    assertEquals(BreakerPhase.OPEN, machine.onSuccess(s, SECOND / 2).state().phase(), "late news while open changes nothing");
    s = machine.onTick(s, SECOND).state();
    assertEquals(BreakerPhase.HALF_OPEN, s.phase());
    s = machine.onSuccess(s, SECOND).state();
    assertEquals(BreakerPhase.HALF_OPEN, s.phase());
    BreakerStateMachine.Transition closing = machine.onSuccess(s, SECOND);
    assertTrue(closing.phaseChanged());
    assertEquals(BreakerState.Closed.FRESH, closing.state());
  }

  @Test
  void reopensFromHalfOpenWithALongerCoolDownUpToTheCeiling() {
    BreakerState s = fail(machine.initial(), 5, false);
    long now = 0;
    long[] expected = {2, 4, 5, 5};
    for (long seconds : expected) {
      now = ((BreakerState.Open) s).retryAtNanos();
      s = machine.onTick(s, now).state();
      s = machine.onFailure(s, false, "again", now).state();
      BreakerState.Open open = assertInstanceOf(BreakerState.Open.class, s);
      assertEquals(seconds * SECOND, open.retryAtNanos() - now);
    }
  }

  @Test
  void operatorCanForceEitherWay() {
    BreakerStateMachine.Transition opened = machine.forceOpen(machine.initial(), Duration.ofSeconds(3), 10);
    assertTrue(opened.phaseChanged());
    assertEquals(10 + 3 * SECOND, ((BreakerState.Open) opened.state()).retryAtNanos());
    BreakerStateMachine.Transition closed = machine.forceClose(opened.state());
    assertTrue(closed.phaseChanged());
    assertEquals(BreakerPhase.CLOSED, closed.state().phase());
  }

  @Test
  void forcedCloseKeepsAClosedBreakersStreakWhileResetClearsIt() {
    BreakerState twoFailures = machine.onFailure(machine.onFailure(machine.initial(), false, "x", 1).state(),
        false, "x", 2).state();
    assertEquals(new BreakerState.Closed(2, 0), machine.forceClose(twoFailures).state());
    assertEquals(BreakerState.Closed.FRESH, machine.reset(twoFailures).state());
    assertFalse(machine.reset(twoFailures).phaseChanged());
  }
}
