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
        + "pekko.cluster.split-brain-resolver.stable-after = " + stableAfter + "\n"
        + "pekko.cluster.failure-detector.acceptable-heartbeat-pause = 3s");
  }

  @Test
  void maxPauseAutoIsTheFailureDetectorsAcceptablePausePlusStableAfter() {
    assertEquals(Duration.ofSeconds(10), ClusterSettings.maxPause(with("auto", "7s")));
  }

  @Test
  void maxPauseTakesADurationOrOff() {
    assertEquals(Duration.ofSeconds(4), ClusterSettings.maxPause(with("4s", "7s")));
    assertEquals(Duration.ZERO, ClusterSettings.maxPause(with("off", "7s")));
  }

  @Test
  void rejectsAMaxPauseUnderOneSecond() {
    assertThrows(IllegalArgumentException.class, () -> ClusterSettings.maxPause(with("500ms", "7s")));
  }

  @Test
  void theShippedDefaultIsAuto() {
    Config config = ConfigFactory.load(ConfigFactory.parseString(
        "pekko.cluster.split-brain-resolver.stable-after = 7s\n"
            + "pekko.cluster.failure-detector.acceptable-heartbeat-pause = 3s"));
    assertEquals(Duration.ofSeconds(10), ClusterSettings.from(config).maxPause());
  }
}
