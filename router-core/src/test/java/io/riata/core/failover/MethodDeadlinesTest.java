package io.riata.core.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MethodDeadlinesTest {

  @Test
  void exactNameThenPrefixThenDefault() {
    MethodDeadlines d = new MethodDeadlines(
        Map.of("eth_call", Duration.ofSeconds(5), "debug_*", Duration.ofSeconds(30)), Duration.ofSeconds(2));
    assertEquals(Duration.ofSeconds(5), d.deadline("eth_call"));
    assertEquals(Duration.ofSeconds(30), d.deadline("debug_traceTransaction"));
    assertEquals(Duration.ofSeconds(2), d.deadline("eth_blockNumber"));
    assertEquals(Duration.ofSeconds(2), d.deadline("weird"));
  }

  @Test
  void rejectsANonPositiveDefault() {
    assertThrows(IllegalArgumentException.class, () -> new MethodDeadlines(Map.of(), Duration.ZERO));
  }
}
