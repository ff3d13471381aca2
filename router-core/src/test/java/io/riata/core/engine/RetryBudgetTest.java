package io.riata.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {
  private static final long S = 1_000_000_000L;
  private static final long T0 = 1_000 * S;

  @Test
  void aShareOfTheFirstAttemptsInTheWindowMayBeRetried() {
    RetryBudget budget = new RetryBudget(new RetryBudget.Settings(0.2, 0, Duration.ofSeconds(10)));
    for (int i = 0; i < 100; i++) {
      budget.first(T0 + i * (S / 100));
    }
    int allowed = 0;
    while (budget.tryRetry(T0 + S / 2)) {
      allowed++;
    }
    assertEquals(20, allowed);
  }

  @Test
  void firstAttemptsAndRetriesOlderThanTheWindowNoLongerCount() {
    RetryBudget budget = new RetryBudget(new RetryBudget.Settings(0.5, 0, Duration.ofSeconds(3)));
    for (int i = 0; i < 10; i++) {
      budget.first(T0);
    }
    for (int i = 0; i < 5; i++) {
      assertTrue(budget.tryRetry(T0 + S));
    }
    assertFalse(budget.tryRetry(T0 + 2 * S), "5 of 10 spent within the window");
    assertFalse(budget.tryRetry(T0 + 3 * S), "the first attempts of T0 have left the 3 s window");
    for (int i = 0; i < 4; i++) {
      budget.first(T0 + 3 * S);
    }
    assertFalse(budget.tryRetry(T0 + 3 * S), "4 first attempts allow 2 retries, and the 5 of T0+1s still count");
    assertTrue(budget.tryRetry(T0 + 4 * S), "at T0+4s the retries of T0+1s are out of the window");
    assertTrue(budget.tryRetry(T0 + 4 * S));
    assertFalse(budget.tryRetry(T0 + 4 * S), "0.5 x 4 = 2 spent");
  }

  @Test
  void theFloorLetsAQuietChainRetry() {
    RetryBudget budget = new RetryBudget(new RetryBudget.Settings(0.2, 2, Duration.ofSeconds(5)));
    int allowed = 0;
    while (budget.tryRetry(T0)) {
      allowed++;
    }
    assertEquals(10, allowed, "2 per second over a 5 s window, without any first attempt");
  }

  @Test
  void theFloorIsAMinimumNotAnAddition() {
    RetryBudget budget = new RetryBudget(new RetryBudget.Settings(0.2, 1, Duration.ofSeconds(10)));
    for (int i = 0; i < 30; i++) {
      budget.first(T0);
    }
    int allowed = 0;
    while (budget.tryRetry(T0)) {
      allowed++;
    }
    assertEquals(10, allowed, "30 first attempts earn 6, below the floor of 1 a second over 10 s");
    for (int i = 0; i < 470; i++) {
      budget.first(T0);
    }
    while (budget.tryRetry(T0)) {
      allowed++;
    }
    assertEquals(100, allowed, "500 first attempts earn 100; the floor adds nothing to that");
  }

  @Test
  void anInfiniteRatioAllowsEverything() {
    RetryBudget budget = new RetryBudget(RetryBudget.Settings.UNLIMITED);
    for (int i = 0; i < 1000; i++) {
      assertTrue(budget.tryRetry(T0 + i * S));
    }
  }

  @Test
  void settingsOutOfRangeAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new RetryBudget.Settings(-0.1, 0, Duration.ofSeconds(10)));
    assertThrows(IllegalArgumentException.class, () -> new RetryBudget.Settings(0.2, -1, Duration.ofSeconds(10)));
    assertThrows(IllegalArgumentException.class, () -> new RetryBudget.Settings(0.2, 1, Duration.ofMillis(500)));
  }
}
