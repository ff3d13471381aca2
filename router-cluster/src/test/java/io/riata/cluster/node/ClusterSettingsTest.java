package io.riata.cluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClusterSettingsTest {

  private static Config with(String maxPause, String stableAfter) {
    return ConfigFactory.parseString("riata.cluster.pause-guard.max-pause = \"" + maxPause + "\"\n"
        + "pekko.cluster.split-brain-resolver.stable-after = " + stableAfter);
  }

  @Test
  void maxPauseAutoIsTheSplitBrainResolversStableAfter() {
    assertEquals(Duration.ofSeconds(7), ClusterSettings.maxPause(with("auto", "7s")));
  }

  @Test
  void maxPauseTakesADurationOrOff() {
    assertEquals(Duration.ofSeconds(4), ClusterSettings.maxPause(with("4s", "7s")));
    assertEquals(Duration.ZERO, ClusterSettings.maxPause(with("off", "7s")));
  }

  @Test
  void rejectsAMaxPauseUnderOneSecondEvenFromAuto() {
    assertThrows(IllegalArgumentException.class, () -> ClusterSettings.maxPause(with("500ms", "7s")));
    assertThrows(IllegalArgumentException.class, () -> ClusterSettings.maxPause(with("auto", "500ms")));
  }

  @Test
  void theShippedDefaultIsAuto() {
    Config config = ConfigFactory.load(ConfigFactory.parseString(
        "pekko.cluster.split-brain-resolver.stable-after = 7s"));
    assertEquals(Duration.ofSeconds(7), ClusterSettings.from(config).maxPause());
  }
}
