package io.riata.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.riata.core.config.ProviderConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LatencyHedgeTest {
  private static final long MS = 1_000_000L;
  private final TestChain chain = TestChain.of("a", "b");
  private final ProviderConfig a = chain.config().providers().get(0);
  private final LatencyHedge p95 = new LatencyHedge(
      new LatencyHedge.Settings(null, Duration.ofMillis(50), Duration.ofSeconds(1)));

  @Test
  void waitsTheLongestBeforeAnythingWasMeasured() {
    assertEquals(1000 * MS, p95.delayNanos(chain, a, "eth_call"));
  }

  @Test
  void followsTheProvidersP95ForTheMethodWithinTheBounds() {
    for (int i = 0; i < 2000; i++) {
      chain.latency.record("a", "eth_call", (i % 100 + 1) * 2 * MS); // 2 .. 200 ms, p95 190 ms
      chain.latency.record("a", "eth_getBalance", 3 * MS);
    }
    long delay = p95.delayNanos(chain, a, "eth_call");
    assertEquals(190, delay / MS, 25, "about the p95 of eth_call on a");
    assertEquals(50 * MS, p95.delayNanos(chain, a, "eth_getBalance"), "3 ms reads are hedged no sooner than min");
    for (int i = 0; i < 200; i++) {
      chain.latency.record("a", "eth_call", 5_000 * MS);
    }
    assertEquals(1000 * MS, p95.delayNanos(chain, a, "eth_call"), "never later than max");
  }

  @Test
  void aFixedDelayIsThatDelay() {
    LatencyHedge fixed = new LatencyHedge(
        new LatencyHedge.Settings(Duration.ofMillis(120), Duration.ofMillis(50), Duration.ofSeconds(1)));
    assertEquals(120 * MS, fixed.delayNanos(chain, a, "eth_call"));
  }

  @Test
  void filtersAndSigningAreNeverHedged() {
    for (String method : new String[] {"eth_getFilterChanges", "eth_newFilter", "eth_uninstallFilter", "eth_sign",
        "personal_sign"}) {
      assertEquals(-1, p95.delayNanos(chain, a, method), method);
    }
  }

  @Test
  void boundsOutOfOrderAreRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> new LatencyHedge.Settings(null, Duration.ofSeconds(2), Duration.ofSeconds(1)));
  }
}
