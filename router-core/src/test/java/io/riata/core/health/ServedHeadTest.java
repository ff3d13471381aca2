package io.riata.core.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.riata.core.breaker.BreakerPhase;
import io.riata.core.selection.ChainSnapshot;
import io.riata.core.selection.ProviderStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServedHeadTest {

  private static ProviderStatus at(String id, long head) {
    return new ProviderStatus(id, head, 0, false, 0, BreakerPhase.CLOSED);
  }

  private static ChainSnapshot snapshot(long chainHead, long headA, long headB) {
    Map<String, ProviderStatus> statuses = new LinkedHashMap<>();
    statuses.put("a", at("a", headA));
    statuses.put("b", at("b", headB));
    return new ChainSnapshot("c", 1, chainHead, statuses);
  }

  @Test
  void theServedHeadOnlyRises() {
    ServedHead heads = new ServedHead(List.of("a", "b"));
    assertEquals(-1, heads.served());
    assertEquals(10, heads.serve(10));
    assertEquals(10, heads.serve(9));
    assertEquals(10, heads.served());
    heads.follow(snapshot(8, 8, 7));
    assertEquals(10, heads.served(), "an older snapshot does not lower it");
    heads.follow(snapshot(12, 12, 11));
    assertEquals(12, heads.served(), "a newer chain head raises it");
  }

  @Test
  void whatAProviderShowedStandsUntilTheNextSnapshot() {
    ServedHead heads = new ServedHead(List.of("a", "b"));
    ChainSnapshot old = snapshot(10, 10, 9);
    heads.seen("b", 12);
    assertEquals(12, heads.knownHead("b", old.provider("b")));
    assertEquals(10, heads.knownHead("a", old.provider("a")));
    heads.seen("b", 8);
    assertEquals(8, heads.knownHead("b", old.provider("b")), "the latest observation wins, lower too");
    heads.seen("a", -5);
    assertEquals(10, heads.knownHead("a", old.provider("a")), "a negative head is no observation");
    ChainSnapshot next = snapshot(11, 11, 11);
    heads.follow(next);
    assertEquals(11, heads.knownHead("b", next.provider("b")), "the next snapshot replaces it");
    assertEquals(-1, heads.knownHead("x", null));
  }
}
