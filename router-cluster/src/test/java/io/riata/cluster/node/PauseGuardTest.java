package io.riata.cluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PauseGuardTest {

  private static final long MS = 1_000_000;

  private final List<Long> trips = new ArrayList<>();
  private final PauseGuard guard = new PauseGuard(Duration.ofSeconds(7), 0, trips::add);

  @Test
  void vouchesWhileItRunsEveryTick() {
    for (long t = 100; t <= 10_000; t += 100) {
      assertFalse(guard.ran(t * MS));
      assertTrue(guard.vouches(t * MS + 50 * MS));
    }
    assertEquals(List.of(), trips);
  }

  @Test
  void aPauseShorterThanMaxPauseIsSurvived() {
    guard.ran(100 * MS);
    assertFalse(guard.ran(6_900 * MS));
    assertTrue(guard.vouches(7_000 * MS));
    assertEquals(6_800, guard.status(7_000 * MS).longestPauseMillis());
    assertEquals(List.of(), trips);
  }

  @Test
  void stopsVouchingAsSoonAsTheJvmResumesBeforeItsOwnThreadHasRun() {
    guard.ran(100 * MS);
    // Resumed after 30 s: an HTTP thread asks before the guard's thread has run again.
    assertFalse(guard.vouches(30_100 * MS));
    assertEquals(List.of(), trips);
  }

  @Test
  void tripsOnceForAPauseLongerThanMaxPauseAndNeverVouchesAgain() {
    guard.ran(100 * MS);
    assertTrue(guard.ran(30_100 * MS));
    assertEquals(List.of(30_000 * MS), trips);
    assertFalse(guard.ran(30_200 * MS));
    assertFalse(guard.ran(60_200 * MS), "trips only once");
    assertEquals(1, trips.size());
    assertFalse(guard.vouches(60_250 * MS));
    assertTrue(guard.status(60_250 * MS).tripped());
    assertEquals(30_000, guard.status(60_250 * MS).trippedPauseMillis());
  }

  @Test
  void aGuardThatIsOffAlwaysVouches() {
    PauseGuard off = new PauseGuard(Duration.ZERO, 0, trips::add);
    assertFalse(off.ran(60_000 * MS));
    assertTrue(off.vouches(120_000 * MS));
    assertFalse(off.status(120_000 * MS).enabled());
    assertEquals(List.of(), trips);
  }

  @Test
  void aForgivenTripVouchesAgainAndTheNextPauseTripsAgain() {
    guard.ran(100 * MS);
    assertTrue(guard.ran(30_100 * MS));
    guard.forgive(); // a node alone in its cluster: nobody can have downed it
    assertTrue(guard.vouches(30_150 * MS));
    assertFalse(guard.ran(30_200 * MS));
    assertTrue(guard.ran(60_300 * MS), "the next long pause trips it again");
  }
}
