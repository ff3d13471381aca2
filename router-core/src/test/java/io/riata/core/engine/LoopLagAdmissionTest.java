package io.riata.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Scripted probe lags on a hand-driven clock (milliseconds), never a real loop. */
class LoopLagAdmissionTest {

  private static final long MS = 1_000_000;
  /** Late from 20 ms on; the lag must stand for 100 ms. */
  private static final LoopLagAdmission.Settings SETTINGS =
      new LoopLagAdmission.Settings(Duration.ofMillis(20), Duration.ofMillis(100));

  private final LoopLagAdmission admission = new LoopLagAdmission(SETTINGS);
  private long now = 1_000 * MS;

  /** Probes every {@code everyMs} for {@code forMs}, each {@code lagMs} late. */
  private void probes(long everyMs, long forMs, long lagMs) {
    for (long t = 0; t < forMs; t += everyMs) {
      now += everyMs * MS;
      admission.probed(now, lagMs * MS);
    }
  }

  private int admittedOf(int requests) {
    int admitted = 0;
    for (int i = 0; i < requests; i++) {
      admitted += admission.admits() ? 1 : 0;
    }
    return admitted;
  }

  @Test
  void admitsEveryRequestWhileProbesRunOnTime() {
    probes(10, 5_000, 19);
    assertEquals(1.0, admission.share());
    assertEquals(1_000, admittedOf(1_000));
  }

  @Test
  void onePauseIsNotAStandingLagHoweverLong() {
    // A collection stops the loop for half a second: one probe very late, the next on time.
    probes(10, 200, 1);
    now += 500 * MS;
    admission.probed(now, 500 * MS);
    probes(10, 200, 1);
    assertEquals(1.0, admission.share());
    assertEquals(100, admittedOf(100));
  }

  @Test
  void lateProbesBrokenByAnOnTimeOneCutNothing() {
    for (int i = 0; i < 100; i++) {
      probes(10, 60, 30);
      probes(10, 10, 5);
    }
    assertEquals(1.0, admission.share());
  }

  @Test
  void aStandingLagCutsTheShareByAQuarterEachIntervalDownToTheFloor() {
    probes(10, 100, 30); // the first late probe starts the count: 90 ms of lag so far
    assertEquals(1.0, admission.share());
    probes(10, 10, 30); // an interval after the first late probe, the first cut
    assertEquals(0.75, admission.share(), 1e-9);
    probes(10, 100, 30);
    assertEquals(0.75 * 0.75, admission.share(), 1e-9);
    probes(10, 10_000, 30);
    assertEquals(LoopLagAdmission.FLOOR, admission.share(), 1e-9, "never below the floor");
    int admitted = admittedOf(1_000);
    assertTrue(admitted >= 49 && admitted <= 51, "one in twenty still served: " + admitted);
  }

  @Test
  void aLoopSoFarBehindThatProbesComeRarelyIsCutAtEachOfThem() {
    // Each iteration of the loop takes 150 ms: one probe an iteration, each late.
    now += 150 * MS;
    admission.probed(now, 150 * MS);
    now += 150 * MS;
    admission.probed(now, 150 * MS);
    assertEquals(0.75, admission.share(), 1e-9);
    now += 150 * MS;
    admission.probed(now, 150 * MS);
    assertEquals(0.75 * 0.75, admission.share(), 1e-9);
  }

  @Test
  void theShareIsSpreadEvenlyOverTheRequests() {
    probes(10, 310, 30); // three cuts: 0.421875
    double share = admission.share();
    assertEquals(0.421875, share, 1e-9);
    int admitted = 0;
    int longestRunShed = 0;
    int run = 0;
    for (int i = 0; i < 1_000; i++) {
      if (admission.admits()) {
        admitted++;
        run = 0;
      } else {
        longestRunShed = Math.max(longestRunShed, ++run);
      }
    }
    assertEquals(share * 1_000, admitted, 1.0);
    assertTrue(longestRunShed <= 2, "no long run of refusals at 42 %: " + longestRunShed);
  }

  @Test
  void growsBackByATwentiethEachIntervalOnceProbesRunOnTime() {
    probes(10, 10_000, 30);
    assertEquals(LoopLagAdmission.FLOOR, admission.share(), 1e-9);
    probes(10, 100, 2);
    assertEquals(LoopLagAdmission.FLOOR + LoopLagAdmission.STEP, admission.share(), 1e-9);
    probes(10, 3_000, 2);
    assertEquals(1.0, admission.share(), "all admitted again");
    assertEquals(100, admittedOf(100));
  }

  @Test
  void refusesSettingsThatCannotWork() {
    assertThrows(IllegalArgumentException.class, () -> new LoopLagAdmission.Settings(Duration.ZERO, Duration.ofMillis(100)));
    assertThrows(IllegalArgumentException.class, () -> new LoopLagAdmission.Settings(Duration.ofMillis(20), Duration.ZERO));
  }
}
