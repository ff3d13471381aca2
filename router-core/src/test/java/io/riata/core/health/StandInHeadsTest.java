package io.riata.core.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.riata.core.breaker.BreakerPhase;
import io.riata.core.config.ChainConfig;
import io.riata.core.config.ProviderConfig;
import io.riata.core.selection.ChainSnapshot;
import io.riata.core.selection.ProviderStatus;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StandInHeadsTest {
  // 12 s blocks: probes every 6 s, max lag 5, rogue beyond max(64, 4 x 5) = 64 blocks ahead
  private static final ChainConfig CHAIN = new ChainConfig("ethereum", 1, Duration.ofSeconds(12), 5, "fastest", 128,
      List.of(provider("a"), provider("b"), provider("c")));
  private static final long T0 = 1_000_000_000L;
  private static final long PROBE = Duration.ofSeconds(6).toNanos();

  private static ProviderConfig provider(String id) {
    return new ProviderConfig(id, URI.create("https://" + id + ".example"), null, 1, 1, false, Set.of(), Set.of(),
        null, Map.of(), 16);
  }

  private static ChainSnapshot pool(long version, long chainHead, ProviderStatus... statuses) {
    Map<String, ProviderStatus> map = new LinkedHashMap<>();
    for (ProviderStatus s : statuses) {
      map.put(s.providerId(), s);
    }
    return new ChainSnapshot("ethereum", version, chainHead, map);
  }

  private static ProviderStatus status(String id, long head, long chainHead, BreakerPhase breaker) {
    return new ProviderStatus(id, head, chainHead - head, false, 0, breaker, false, head - 32, head - 64, false);
  }

  @Test
  void withoutProbesTheDerivedSnapshotIsThePoolsOwn() {
    ChainSnapshot last = pool(7, 100, status("a", 100, 100, BreakerPhase.CLOSED),
        status("b", 99, 100, BreakerPhase.CLOSED), status("c", 100, 100, BreakerPhase.OPEN));
    ChainSnapshot derived = new StandInHeads(CHAIN, last, T0).derive(last);
    assertEquals(last, derived, "seeding from the pool's heads changes nothing by itself");
  }

  @Test
  void probesMoveTheHeadsAndLagsOnAndALaggardIsSeenAsSuch() {
    ChainSnapshot last = pool(7, 100, status("a", 100, 100, BreakerPhase.CLOSED),
        status("b", 100, 100, BreakerPhase.CLOSED), status("c", 100, 100, BreakerPhase.CLOSED));
    StandInHeads standIn = new StandInHeads(CHAIN, last, T0);
    // Ten blocks later two providers moved on, c stayed where it was.
    standIn.answered("a", 110, T0 + PROBE);
    standIn.answered("b", 110, T0 + PROBE);
    standIn.answered("c", 100, T0 + PROBE);
    ChainSnapshot derived = standIn.derive(last);
    assertEquals(110, derived.chainHead());
    assertEquals(7, derived.version(), "the pool's version is kept: a publication of the pool replaces this");
    assertEquals(0, derived.provider("a").lag());
    assertEquals(10, derived.provider("c").lag(), "c is now known to be 10 behind, over max_lag 5");
    assertEquals(68, derived.provider("a").safe(), "finality stays what the pool knew");
  }

  @Test
  void aRogueHeadSeenOnlyByThisNodeIsExcludedAndTheChainHeadNeverGoesBelowThePools() {
    ChainSnapshot last = pool(3, 500, status("a", 500, 500, BreakerPhase.CLOSED),
        status("b", 500, 500, BreakerPhase.CLOSED), status("c", 500, 500, BreakerPhase.CLOSED));
    StandInHeads standIn = new StandInHeads(CHAIN, last, T0);
    standIn.answered("c", 10_000, T0 + PROBE);
    standIn.answered("a", 490, T0 + PROBE); // a reorg or a restart behind a load balancer
    ChainSnapshot derived = standIn.derive(last);
    assertTrue(derived.provider("c").rogue());
    assertEquals(-1, derived.provider("c").lag());
    assertEquals(500, derived.chainHead(), "the chain head never goes below the pool's");
    assertEquals(10, derived.provider("a").lag());
  }

  @Test
  void anOpenProviderThatAnswersThisNodesProbesIsHalfOpenThenClosedAndOneFailureUndoesIt() {
    ChainSnapshot last = pool(5, 200, status("a", 200, 200, BreakerPhase.CLOSED),
        status("b", 200, 200, BreakerPhase.CLOSED), status("c", 180, 200, BreakerPhase.OPEN));
    StandInHeads standIn = new StandInHeads(CHAIN, last, T0);
    assertEquals(BreakerPhase.OPEN, standIn.derive(last).provider("c").breaker(), "no answer from c yet");
    standIn.answered("c", 201, T0 + PROBE);
    assertEquals(BreakerPhase.HALF_OPEN, standIn.derive(last).provider("c").breaker(), "c is back: worth a try");
    standIn.failed("c");
    assertEquals(BreakerPhase.OPEN, standIn.derive(last).provider("c").breaker());
    for (int i = 1; i < StandInHeads.CLOSE_AFTER_ANSWERS; i++) {
      standIn.answered("c", 201 + i, T0 + PROBE * (1 + i));
      assertEquals(BreakerPhase.HALF_OPEN, standIn.derive(last).provider("c").breaker(), "after " + i + " answers");
    }
    standIn.answered("c", 210, T0 + PROBE * 5);
    assertEquals(BreakerPhase.CLOSED, standIn.derive(last).provider("c").breaker(), "answers in a row close it");
    assertEquals(BreakerPhase.CLOSED, standIn.derive(last).provider("a").breaker());
    assertFalse(standIn.derive(last).provider("c").rogue());
  }
}
