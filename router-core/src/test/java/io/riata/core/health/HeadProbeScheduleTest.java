package io.riata.core.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HeadProbeScheduleTest {

  @ParameterizedTest(name = "block time {0} ms -> probe every {1} ms")
  @CsvSource({
      "12000, 6000",   // Ethereum
      "2000, 1000",    // Polygon PoS, Base
      "250, 250",      // Arbitrum: half would be 125 ms
      "0, 250",
      "60000, 15000",
      "30000, 15000",
  })
  void probesAtHalfTheBlockTimeWithinBounds(long blockMillis, long expectedMillis) {
    assertEquals(Duration.ofMillis(expectedMillis), HeadProbeSchedule.interval(Duration.ofMillis(blockMillis)));
  }

  @Test
  void rejectsMissingOrNegativeBlockTime() {
    assertThrows(IllegalArgumentException.class, () -> HeadProbeSchedule.interval(null));
    assertThrows(IllegalArgumentException.class, () -> HeadProbeSchedule.interval(Duration.ofSeconds(-1)));
  }
}
