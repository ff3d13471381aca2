package io.riata.core.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.riata.core.config.ChainConfig;
import io.riata.core.config.ProviderConfig;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HeadTrackerTest {
  private static final Duration PROBE = Duration.ofSeconds(6);
  private static final long T0 = 1_000_000_000L;
  private static final int MAX_LAG = 5;
  private static final long OUTLIER = 64;

  private static HeadTracker tracker(String... ids) {
    return new HeadTracker(List.of(ids), MAX_LAG, OUTLIER, 0, PROBE);
  }

  private static long after(Duration d) {
    return T0 + d.toNanos();
  }

  @Test
  void providerThatNeverReportedHasUnknownLagNotZero() {
    HeadTracker t = tracker("a", "b", "c", "silent");
    assertEquals(-1, t.chainHead());
    t.report("a", 1000, T0);
    t.report("b", 1000, T0);
    t.report("c", 1001, T0);
    assertEquals(1000, t.chainHead(), "two of three reached 1000, one reached 1001");
    assertEquals(-1, t.lag("silent"));
    assertEquals(-1, t.head("silent"));
    assertFalse(t.isLagging("silent"));
    assertEquals(0, t.lag("a"));
    assertEquals(0, t.lag("c"), "a provider ahead of the quorum is not behind");
  }

  @Test
  void farAheadHeadIsRogueAndDoesNotRaiseTheChainHead() {
    HeadTracker t = tracker("a", "b", "c", "liar");
    t.report("a", 1000, T0);
    t.report("b", 1001, T0);
    t.report("c", 1001, T0);
    t.report("liar", 1001 + OUTLIER + 1, T0);
    assertTrue(t.isRogue("liar"));
    assertEquals(1001, t.chainHead(), "three of four reached 1001");
    assertEquals(-1, t.lag("liar"));
    assertEquals(1, t.lag("a"));
    assertFalse(t.isLagging("a"));
    assertFalse(t.isRogue("a"));
  }

  @Test
  void headJustWithinTheThresholdIsBelieved() {
    HeadTracker t = tracker("a", "b", "fast");
    t.report("a", 1000, T0);
    t.report("b", 1000, T0);
    t.report("fast", 1000 + OUTLIER, T0);
    assertFalse(t.isRogue("fast"));
    assertEquals(1000, t.chainHead(), "believed is not the same as agreed on");
    assertEquals(0, t.lag("fast"));
  }

  @Test
  void rogueIsClearedWhenTheOthersCatchUp() {
    HeadTracker t = tracker("a", "b", "early");
    t.report("a", 1000, T0);
    t.report("b", 1000, T0);
    t.report("early", 1100, T0);
    assertTrue(t.isRogue("early"));
    t.report("a", 1090, after(Duration.ofSeconds(1)));
    t.report("b", 1090, after(Duration.ofSeconds(1)));
    assertFalse(t.isRogue("early"));
    assertEquals(1090, t.chainHead());
  }

  @Test
  void oneLaggingProviderDoesNotMakeTheHonestOnesRogue() {
    HeadTracker t = tracker("syncing", "b", "c");
    t.report("syncing", 1000, T0);
    t.report("b", 1900, T0);
    t.report("c", 1900, T0);
    assertFalse(t.isRogue("b"));
    assertFalse(t.isRogue("c"));
    assertEquals(1900, t.chainHead());
    assertEquals(900, t.lag("syncing"));
    assertTrue(t.isLagging("syncing"));
  }

  @Test
  void aQuorumNeedsThreeVoters() {
    HeadTracker pair = tracker("a", "b");
    pair.report("a", 1000, T0);
    pair.report("b", 5000, T0);
    assertFalse(pair.isRogue("b"));
    assertEquals(5000, pair.chainHead());
  }

  @Test
  void holdsBackUncheckedHeadsAtStartupInChainsThatCanCheck() {
    HeadTracker t = tracker("a", "b", "c");
    t.report("a", 99_999, T0);
    t.report("b", 1000, after(Duration.ofSeconds(1)));
    assertEquals(-1, t.chainHead(), "one voter each: nothing credible yet");
    assertEquals(-1, t.lag("a"));
    t.report("c", 1000, after(Duration.ofSeconds(2)));
    assertTrue(t.isRogue("a"));
    assertEquals(1000, t.chainHead());
  }

  @Test
  void takesUncheckedHeadsOnceTheStartupWaitIsOver() {
    HeadTracker t = tracker("a", "b", "down");
    t.report("a", 1000, T0);
    t.report("b", 1001, after(PROBE));
    assertEquals(-1, t.chainHead());
    t.report("a", 1002, after(PROBE.multipliedBy(HeadTracker.BOOTSTRAP_PROBES)));
    assertEquals(1002, t.chainHead());
    assertEquals(1, t.lag("b"));
  }

  @Test
  void quietProvidersDoNotVote() {
    HeadTracker t = tracker("live", "gone1", "gone2");
    t.report("live", 1000, T0);
    t.report("gone1", 1000, T0);
    t.report("gone2", 1000, T0);
    long later = after(PROBE.multipliedBy(HeadTracker.VOTE_WINDOW_PROBES + 1));
    t.report("live", 1000 + OUTLIER + 5, later); // within the distance plus two blocks per probe interval
    assertFalse(t.isRogue("live"));
    assertEquals(1000 + OUTLIER + 5, t.chainHead());
    assertTrue(t.isLagging("gone1"));
  }

  @Test
  void chainHeadNeverGoesBackwards() {
    HeadTracker t = tracker("a", "b", "c");
    t.report("a", 1000, T0);
    t.report("b", 1000, T0);
    t.report("c", 1000, T0);
    t.report("a", 900, after(Duration.ofSeconds(1)));
    t.report("b", 990, after(Duration.ofSeconds(1)));
    t.report("c", 995, after(Duration.ofSeconds(1)));
    assertEquals(1000, t.chainHead());
  }

  @Test
  void providerHeadMayGoBackwardsAndItsLagFollows() {
    HeadTracker t = tracker("a", "b", "c");
    t.report("a", 1000, T0);
    t.report("b", 1000, T0);
    t.report("c", 1000, T0);
    assertEquals(0, t.lag("c"));
    t.report("c", 993, after(Duration.ofSeconds(1)));
    assertEquals(993, t.head("c"));
    assertEquals(7, t.lag("c"));
    assertTrue(t.isLagging("c"));
    t.report("c", 1000, after(Duration.ofSeconds(2)));
    assertEquals(0, t.lag("c"));
  }

  @Test
  void ignoresUnknownProvidersAndNegativeHeads() {
    HeadTracker t = tracker("a", "b");
    t.report("stranger", 5000, T0);
    t.report("a", -1, T0);
    assertEquals(-1, t.chainHead());
    assertEquals(-1, t.lag("stranger"));
    assertFalse(t.isRogue("stranger"));
  }

  @Test
  void forChainDerivesTheRogueDistanceFromMaxLag() {
    assertEquals(64, ChainConfig.defaultMaxAheadBlocks(5));
    assertEquals(400, ChainConfig.defaultMaxAheadBlocks(100));
    ProviderConfig a = provider("a");
    ProviderConfig b = provider("b");
    ProviderConfig c = provider("c");
    ChainConfig chain = new ChainConfig("ethereum", 1, Duration.ofSeconds(12), 5, "fastest", 128, List.of(a, b, c));
    HeadTracker t = HeadTracker.forChain(chain);
    t.report("a", 1000, T0);
    t.report("b", 1000, T0);
    t.report("c", 1065, T0);
    assertTrue(t.isRogue("c"));
    assertEquals(1000, t.chainHead());
  }

  @Test
  void aConfiguredQuorumAndRogueDistanceAreUsed() {
    ProviderConfig[] p = {provider("a"), provider("b"), provider("c"), provider("d")};
    ChainConfig chain = new ChainConfig("ethereum", 1, Duration.ofSeconds(12), 5, "fastest", 128, 4, 10,
        Duration.ofSeconds(48), List.of(p));
    HeadTracker t = HeadTracker.forChain(chain);
    t.report("a", 1000, T0);
    t.report("b", 1003, T0);
    t.report("c", 1005, T0);
    t.report("d", 1011, T0);
    assertEquals(1000, t.chainHead(), "all four must have reached it");
    assertTrue(t.isRogue("d"), "11 blocks above the consensus, 10 allowed");
    assertFalse(t.isRogue("c"));
  }

  @Test
  void aRogueCountsAsAChange() {
    HeadTracker t = tracker("a", "b", "c");
    t.report("a", 1000, T0);
    t.report("b", 1000, T0);
    long before = t.rogueChanges();
    t.report("c", 2000, T0);
    assertTrue(t.isRogue("c"));
    assertTrue(t.rogueChanges() > before);
  }

  @Test
  void aLiarLeftAloneWhenTheOthersGoQuietDoesNotTakeTheChainHead() {
    HeadTracker t = tracker("a", "b", "c", "liar");
    t.report("a", 1000, T0);
    t.report("b", 1000, T0);
    t.report("c", 1000, T0);
    t.report("liar", 100_000, T0);
    assertTrue(t.isRogue("liar"));
    long later = after(PROBE.multipliedBy(HeadTracker.VOTE_WINDOW_PROBES + 1));
    t.report("liar", 100_001, later); // a, b and c went quiet: the liar is the only voter
    assertEquals(1000, t.chainHead());
    assertTrue(t.isRogue("liar"), "still far beyond where the chain can have moved");
    assertEquals(-1, t.lag("liar"));
  }

  @Test
  void aLoneVoterCarriesTheChainHeadOnAsFarAsTheChainCanHaveMoved() {
    HeadTracker t = tracker("a", "b", "c");
    t.report("a", 1000, T0);
    t.report("b", 1000, T0);
    t.report("c", 1000, T0);
    long later = after(PROBE.multipliedBy(10));
    t.report("a", 1000 + OUTLIER + 15, later); // ten probe intervals on: 20 blocks of slack besides OUTLIER
    assertFalse(t.isRogue("a"));
    assertEquals(1000 + OUTLIER + 15, t.chainHead());
    t.report("a", 1000 + OUTLIER + 15 + OUTLIER + 1, later);
    assertTrue(t.isRogue("a"), "a jump past the distance from the new head");
    assertEquals(1000 + OUTLIER + 15, t.chainHead());
  }

  private static ProviderConfig provider(String id) {
    return new ProviderConfig(id, URI.create("https://" + id + ".example"), null, 1, 1, false,
        Set.of(), Set.of(), null, Map.of(), 16);
  }
}