package io.riata.core.selection;

import static io.riata.core.selection.Fixtures.chain;
import static io.riata.core.selection.Fixtures.healthy;
import static io.riata.core.selection.Fixtures.ids;
import static io.riata.core.selection.Fixtures.provider;
import static io.riata.core.selection.Fixtures.withMethods;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.riata.core.breaker.BreakerPhase;
import io.riata.core.config.ChainConfig;
import io.riata.core.config.ProviderConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class SelectorTest {
  private static final long HEAD = 20_000_000;
  private static final long NOW = 1_700_000_000_000L;
  private static final BreakerView ALL_CLOSED = id -> BreakerPhase.CLOSED;
  private static final LatencyView UNMEASURED = (id, method) -> Double.NaN;

  private final Strategy priority = Strategies.create(StrategyName.PRIORITY);

  @Test
  void keepsEveryHealthyProviderInStrategyOrder() {
    ChainConfig chain = chain(provider("b", 2, 1, false), provider("a", 1, 1, false), provider("c", 3, 1, false));
    Selection s = select(chain, allHealthy(chain), ALL_CLOSED, UNMEASURED, priority, "eth_call", -1);
    assertEquals(List.of("a", "b", "c"), ids(s));
    assertEquals(3, s.size());
    assertEquals("a", s.get(0).id());
    assertFalse(s.archiveOnly());
  }

  @Test
  void fastestUsesTheLatencyOfTheRequestedMethod() {
    ChainConfig chain = chain(provider("a"), provider("b"));
    Map<String, Double> latencies = Map.of(
        "a/eth_blockNumber", 5e6, "a/eth_getLogs", 9e9,
        "b/eth_blockNumber", 40e6, "b/eth_getLogs", 300e6);
    LatencyView latency = (id, method) -> latencies.getOrDefault(id + "/" + method, Double.NaN);
    Strategy fastest = Strategies.create(StrategyName.FASTEST);

    assertEquals(List.of("a", "b"),
        ids(select(chain, allHealthy(chain), ALL_CLOSED, latency, fastest, "eth_blockNumber", -1)));
    assertEquals(List.of("b", "a"),
        ids(select(chain, allHealthy(chain), ALL_CLOSED, latency, fastest, "eth_getLogs", -1)));
  }

  @Test
  void strategiesThatIgnoreLatencyDoNotLookItUp() {
    ChainConfig chain = chain(provider("a"), provider("b"));
    LatencyView failing = (id, method) -> {
      throw new AssertionError("latency looked up for " + id);
    };
    select(chain, allHealthy(chain), ALL_CLOSED, failing, priority, "eth_call", -1);
  }

  @Test
  void aProviderThatRateLimitedThisNodeGoesLastBeforeThePoolKnows() {
    ChainConfig chain = chain(provider("a", 1, 1, false), provider("b", 2, 1, false));
    BreakerView aCooling = new BreakerView() {
      @Override
      public BreakerPhase phase(String providerId) {
        return BreakerPhase.CLOSED;
      }

      @Override
      public boolean rateLimitedAt(String providerId, long nowMillis) {
        return providerId.equals("a") && nowMillis < NOW + 1_000;
      }
    };
    assertEquals(List.of("b", "a"), ids(select(chain, allHealthy(chain), aCooling, UNMEASURED, priority, "eth_call", -1)),
        "the snapshot says nothing yet; this node's own cool-down puts a last");
    assertEquals(List.of("a", "b"), ids(Selector.select(chain, allHealthy(chain), aCooling, UNMEASURED, priority,
        "eth_call", -1, p -> true, NOW + 1_000)), "the cool-down over, a is first again");
  }

  @Test
  void healthTiersApplyAfterTheStrategy() {
    ChainConfig chain = chain(
        provider("limited", 0, 1, false),
        provider("halfOpen", 1, 1, false),
        provider("unknownHead", 2, 1, false),
        provider("ok2", 4, 1, false),
        provider("ok1", 3, 1, false));
    Map<String, ProviderStatus> statuses = new LinkedHashMap<>();
    statuses.put("limited", new ProviderStatus("limited", HEAD, 0, false, NOW + 5_000, BreakerPhase.CLOSED));
    statuses.put("halfOpen", healthy("halfOpen", HEAD, HEAD));
    statuses.put("unknownHead", ProviderStatus.unknown("unknownHead"));
    statuses.put("ok2", healthy("ok2", HEAD, HEAD));
    statuses.put("ok1", healthy("ok1", HEAD - 1, HEAD));
    BreakerView breakers = id -> id.equals("halfOpen") ? BreakerPhase.HALF_OPEN : BreakerPhase.CLOSED;

    Selection s = select(chain, snapshot(statuses), breakers, UNMEASURED, priority, "eth_call", -1);
    assertEquals(List.of("ok1", "ok2", "halfOpen", "unknownHead", "limited"), ids(s));
  }

  @Test
  void rateLimitEndsAtItsDeadline() {
    ChainConfig chain = chain(provider("a", 0, 1, false), provider("b", 1, 1, false));
    Map<String, ProviderStatus> statuses = new LinkedHashMap<>();
    statuses.put("a", new ProviderStatus("a", HEAD, 0, false, NOW, BreakerPhase.CLOSED));
    statuses.put("b", healthy("b", HEAD, HEAD));
    assertEquals(List.of("a", "b"), ids(select(chain, snapshot(statuses), ALL_CLOSED, UNMEASURED, priority, "eth_call", -1)));
  }

  @Test
  void excludesProvidersWhoseLocalBreakerIsOpen() {
    ChainConfig chain = chain(provider("a"), provider("b"));
    // The snapshot (authority) still says closed; this node's view wins.
    BreakerView breakers = id -> id.equals("a") ? BreakerPhase.OPEN : BreakerPhase.CLOSED;
    Selection s = select(chain, allHealthy(chain), breakers, UNMEASURED, priority, "eth_call", -1);
    assertEquals(List.of("b"), ids(s));
    assertEquals(1, s.excluded(Selection.Exclusion.BREAKER_OPEN));
  }

  @Test
  void excludesProvidersLaggingMoreThanTheChainAllows() {
    ChainConfig chain = chain(provider("behind", 0, 1, false), provider("atLimit", 1, 1, false), provider("current", 2, 1, false));
    Map<String, ProviderStatus> statuses = new LinkedHashMap<>();
    statuses.put("behind", healthy("behind", HEAD - chain.maxLagBlocks() - 1, HEAD));
    statuses.put("atLimit", healthy("atLimit", HEAD - chain.maxLagBlocks(), HEAD));
    statuses.put("current", healthy("current", HEAD, HEAD));
    Selection s = select(chain, snapshot(statuses), ALL_CLOSED, UNMEASURED, priority, "eth_call", -1);
    assertEquals(List.of("atLimit", "current"), ids(s));
    assertEquals(1, s.excluded(Selection.Exclusion.LAGGING));
  }

  @Test
  void neverReportedHeadIsNotZeroLagButALowerTier() {
    ChainConfig chain = chain(provider("silent", 0, 1, false), provider("reporting", 9, 1, false));
    Map<String, ProviderStatus> statuses = new LinkedHashMap<>();
    statuses.put("silent", ProviderStatus.unknown("silent"));
    statuses.put("reporting", healthy("reporting", HEAD - 2, HEAD));
    Selection s = select(chain, snapshot(statuses), ALL_CLOSED, UNMEASURED, priority, "eth_call", -1);
    assertEquals(List.of("reporting", "silent"), ids(s));
  }

  @Test
  void withoutAChainHeadAllAreUncertainAndTheStrategyDecides() {
    ChainConfig chain = chain(provider("b", 2, 1, false), provider("a", 1, 1, false));
    ChainSnapshot empty = ChainSnapshot.empty("ethereum", List.of("a", "b"));
    assertEquals(List.of("a", "b"), ids(select(chain, empty, ALL_CLOSED, UNMEASURED, priority, "eth_call", 5)));
  }

  @Test
  void providersMissingFromTheSnapshotAreUncertain() {
    ChainConfig chain = chain(provider("new", 0, 1, false), provider("known", 1, 1, false));
    Map<String, ProviderStatus> statuses = Map.of("known", healthy("known", HEAD, HEAD));
    assertEquals(List.of("known", "new"),
        ids(select(chain, snapshot(statuses), ALL_CLOSED, UNMEASURED, priority, "eth_call", -1)));
  }

  @Test
  void excludesDrainedProviders() {
    ChainConfig chain = chain(provider("a"), provider("b"));
    Map<String, ProviderStatus> statuses = new LinkedHashMap<>();
    statuses.put("a", new ProviderStatus("a", HEAD, 0, true, 0, BreakerPhase.CLOSED));
    statuses.put("b", healthy("b", HEAD, HEAD));
    Selection s = select(chain, snapshot(statuses), ALL_CLOSED, UNMEASURED, priority, "eth_call", -1);
    assertEquals(List.of("b"), ids(s));
    assertEquals(1, s.excluded(Selection.Exclusion.DRAINED));
  }

  @Test
  void withEveryProviderDrainedNothingIsSelectedAndTheReasonSaysDrained() {
    ChainConfig chain = chain(provider("a"), provider("b"));
    Map<String, ProviderStatus> statuses = new LinkedHashMap<>();
    statuses.put("a", new ProviderStatus("a", HEAD, 0, true, 0, BreakerPhase.CLOSED));
    statuses.put("b", new ProviderStatus("b", HEAD, 0, true, 0, BreakerPhase.CLOSED));
    Selection s = select(chain, snapshot(statuses), ALL_CLOSED, UNMEASURED, priority, "eth_call", -1);
    assertTrue(s.isEmpty());
    assertEquals(2, s.excluded(Selection.Exclusion.DRAINED));
    assertTrue(s.describeExclusions().contains("drained"), s.describeExclusions());
  }

  @Test
  void oldBlocksGoToArchivalProvidersOnly() {
    ChainConfig chain = chain(provider("full", 0, 1, false), provider("archive", 1, 1, true));
    long old = HEAD - chain.archiveDepth() - 1;
    Selection s = select(chain, allHealthy(chain), ALL_CLOSED, UNMEASURED, priority, "eth_getBalance", old);
    assertEquals(List.of("archive"), ids(s));
    assertTrue(s.archiveOnly());
    assertEquals(1, s.excluded(Selection.Exclusion.NOT_ARCHIVAL));
  }

  @Test
  void recentBlocksAndLatestUseAllProviders() {
    ChainConfig chain = chain(provider("full", 0, 1, false), provider("archive", 1, 1, true));
    long recent = HEAD - chain.archiveDepth();
    assertEquals(List.of("full", "archive"),
        ids(select(chain, allHealthy(chain), ALL_CLOSED, UNMEASURED, priority, "eth_getBalance", recent)));
    assertEquals(List.of("full", "archive"),
        ids(select(chain, allHealthy(chain), ALL_CLOSED, UNMEASURED, priority, "eth_getBalance", -1)));
  }

  @Test
  void oldBlocksUseAllProvidersWhenNoArchivalOneIsEligible() {
    ChainConfig chain = chain(provider("full1", 0, 1, false), provider("full2", 1, 1, false), provider("archive", 2, 1, true));
    BreakerView archiveDown = id -> id.equals("archive") ? BreakerPhase.OPEN : BreakerPhase.CLOSED;
    Selection s = select(chain, allHealthy(chain), archiveDown, UNMEASURED, priority, "eth_getBalance", 0);
    assertEquals(List.of("full1", "full2"), ids(s));
    assertFalse(s.archiveOnly());
  }

  @Test
  void archivalRoutingKeepsTheStrategyAndTiers() {
    ChainConfig chain = chain(
        provider("archive3", 3, 1, true), provider("full", 0, 1, false),
        provider("archive1", 1, 1, true), provider("archive2", 2, 1, true));
    Map<String, ProviderStatus> statuses = new LinkedHashMap<>(allHealthy(chain).providers());
    statuses.put("archive1", ProviderStatus.unknown("archive1"));
    Selection s = select(chain, snapshot(statuses), ALL_CLOSED, UNMEASURED, priority, "eth_getBalance", 0);
    assertEquals(List.of("archive2", "archive3", "archive1"), ids(s));
  }

  @Test
  void honoursAllowAndDenyLists() {
    ChainConfig chain = chain(
        withMethods("traceOnly", Set.of("trace_block"), Set.of()),
        withMethods("noLogs", Set.of(), Set.of("eth_getLogs")),
        provider("any"));
    assertEquals(List.of("noLogs", "any"),
        ids(select(chain, allHealthy(chain), ALL_CLOSED, UNMEASURED, priority, "eth_call", -1)));
    Selection logs = select(chain, allHealthy(chain), ALL_CLOSED, UNMEASURED, priority, "eth_getLogs", -1);
    assertEquals(List.of("any"), ids(logs));
    assertEquals(2, logs.excluded(Selection.Exclusion.METHOD_NOT_SUPPORTED));
    assertEquals(List.of("traceOnly", "noLogs", "any"),
        ids(select(chain, allHealthy(chain), ALL_CLOSED, UNMEASURED, priority, "trace_block", -1)));
  }

  @Test
  void honoursTheRoutesRestriction() {
    ChainConfig chain = chain(provider("a"), provider("b"), provider("c"));
    Predicate<ProviderConfig> profile = p -> !p.id().equals("b");
    Selection s = Selector.select(chain, allHealthy(chain), ALL_CLOSED, UNMEASURED, priority, "eth_call", -1, profile, NOW);
    assertEquals(List.of("a", "c"), ids(s));
    assertEquals(1, s.excluded(Selection.Exclusion.NOT_ALLOWED));

    Selection pinned = Selector.select(chain, allHealthy(chain), ALL_CLOSED, UNMEASURED, priority, "eth_call", -1,
        p -> p.id().equals("c"), NOW);
    assertEquals(List.of("c"), ids(pinned));
  }

  @Test
  void explainsAnEmptySelection() {
    ChainConfig chain = chain(provider("a"), provider("b"), withMethods("c", Set.of(), Set.of("eth_call")));
    BreakerView allOpen = id -> BreakerPhase.OPEN;
    Selection s = select(chain, allHealthy(chain), allOpen, UNMEASURED, priority, "eth_call", -1);
    assertTrue(s.isEmpty());
    assertEquals(List.of(), s.providers());
    assertEquals("1 method not enabled, 2 circuit breaker open", s.describeExclusions());
    assertEquals("no providers configured",
        select(chain(), allHealthy(chain()), ALL_CLOSED, UNMEASURED, priority, "eth_call", -1).describeExclusions());
  }

  @Test
  void roundRobinSpreadsOverTheEligibleProviders() {
    ChainConfig chain = chain(provider("a"), provider("b"), provider("c"), provider("d"));
    BreakerView dOpen = id -> id.equals("d") ? BreakerPhase.OPEN : BreakerPhase.CLOSED;
    Strategy rr = Strategies.create(StrategyName.ROUND_ROBIN);
    ChainSnapshot snapshot = allHealthy(chain);
    Map<String, Integer> first = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      Selection s = select(chain, snapshot, dOpen, UNMEASURED, rr, "eth_call", -1);
      assertEquals(3, s.size());
      first.merge(s.get(0).id(), 1, Integer::sum);
    }
    assertEquals(Map.of("a", 100, "b", 100, "c", 100), first);
  }

  @Test
  void sameInputsAndSeedGiveTheSameOrders() {
    ChainConfig chain = chain(provider("a", 1, 3, false), provider("b", 1, 1, false), provider("c", 1, 5, false));
    assertEquals(loadBalancedRun(chain, 99), loadBalancedRun(chain, 99));
  }

  private static List<List<String>> loadBalancedRun(ChainConfig chain, long seed) {
    Random seeded = new Random(seed);
    Strategy lb = Strategies.create(StrategyName.LOAD_BALANCED, () -> seeded);
    List<List<String>> orders = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      orders.add(ids(select(chain, allHealthy(chain), ALL_CLOSED, UNMEASURED, lb, "eth_call", -1)));
    }
    return orders;
  }

  @Test
  void handlesChainsLargerThanTheScratchSpace() {
    ProviderConfig[] many = new ProviderConfig[40];
    for (int i = 0; i < many.length; i++) {
      many[i] = provider("p" + i, many.length - i, 1, false);
    }
    ChainConfig chain = chain(many);
    Selection s = select(chain, allHealthy(chain), ALL_CLOSED, UNMEASURED, priority, "eth_call", -1);
    assertEquals(40, s.size());
    assertEquals("p39", s.get(0).id());
    assertEquals("p0", s.get(39).id());
  }

  @Test
  void aRogueProviderIsLeftOutNotRankedLower() {
    ChainConfig chain = chain(provider("rogue", 1, 1, false), provider("b", 2, 1, false));
    Map<String, ProviderStatus> statuses = new LinkedHashMap<>();
    statuses.put("rogue", new ProviderStatus("rogue", HEAD + 500, -1, false, 0, BreakerPhase.CLOSED, true));
    statuses.put("b", healthy("b", HEAD, HEAD));
    Selection s = select(chain, snapshot(statuses), ALL_CLOSED, UNMEASURED, priority, "eth_call", -1);
    assertEquals(List.of("b"), ids(s));
    assertEquals(1, s.excluded(Selection.Exclusion.ROGUE));

    statuses.put("b", new ProviderStatus("b", HEAD, 0, true, 0, BreakerPhase.CLOSED));
    assertEquals(List.of(), ids(select(chain, snapshot(statuses), ALL_CLOSED, UNMEASURED, priority, "eth_call", -1)),
        "even with nothing else left");
  }

  @Test
  void aBlockNumberLeavesOutProvidersKnownToBeBelowIt() {
    ChainConfig chain = chain(provider("a", 1, 1, false), provider("b", 2, 1, false), provider("c", 3, 1, false));
    Map<String, ProviderStatus> statuses = new LinkedHashMap<>();
    statuses.put("a", healthy("a", HEAD - 2, HEAD));
    statuses.put("b", healthy("b", HEAD, HEAD));
    statuses.put("c", healthy("c", HEAD - 1, HEAD));
    ChainSnapshot snapshot = snapshot(statuses);
    // c answered a newer head since the snapshot; a and b did not.
    HeadView heads = (id, status) -> id.equals("c") ? HEAD + 1 : status.head();

    Selection atHead = Selector.select(chain, snapshot, ALL_CLOSED, UNMEASURED, priority, "eth_getBlockByNumber",
        HEAD, heads, p -> true, NOW, new Selection());
    assertEquals(List.of("b", "c"), ids(atHead));
    assertEquals(1, atHead.excluded(Selection.Exclusion.BEHIND_BLOCK));

    Selection above = Selector.select(chain, snapshot, ALL_CLOSED, UNMEASURED, priority, "eth_getBlockByNumber",
        HEAD + 1, heads, p -> true, NOW, new Selection());
    assertEquals(List.of("c"), ids(above), "only c has shown this block");

    Selection future = Selector.select(chain, snapshot, ALL_CLOSED, UNMEASURED, priority, "eth_getBlockByNumber",
        HEAD + 5, heads, p -> true, NOW, new Selection());
    assertEquals(List.of("a", "b", "c"), ids(future), "nobody has it: all stay, and they say so themselves");
    assertEquals(0, future.excluded(Selection.Exclusion.BEHIND_BLOCK));

    Selection latest = Selector.select(chain, snapshot, ALL_CLOSED, UNMEASURED, priority, "eth_getBlockByNumber",
        -1, heads, p -> true, NOW, new Selection());
    assertEquals(List.of("a", "b", "c"), ids(latest));
  }

  @Test
  void aProviderWithAnUnknownHeadIsNotTakenToBeBehind() {
    ChainConfig chain = chain(provider("a", 1, 1, false), provider("b", 2, 1, false));
    Map<String, ProviderStatus> statuses = new LinkedHashMap<>();
    statuses.put("a", new ProviderStatus("a", -1, -1, false, 0, BreakerPhase.CLOSED));
    statuses.put("b", healthy("b", HEAD - 3, HEAD));
    Selection s = Selector.select(chain, snapshot(statuses), ALL_CLOSED, UNMEASURED, priority, "eth_getBlockByNumber",
        HEAD, HeadView.SNAPSHOT, p -> true, NOW, new Selection());
    assertEquals(List.of("a"), ids(s));
  }

  private static Selection select(ChainConfig chain, ChainSnapshot snapshot, BreakerView breakers,
      LatencyView latency, Strategy strategy, String method, long block) {
    return Selector.select(chain, snapshot, breakers, latency, strategy, method, block, p -> true, NOW);
  }

  private static ChainSnapshot allHealthy(ChainConfig chain) {
    Map<String, ProviderStatus> statuses = new LinkedHashMap<>();
    for (ProviderConfig p : chain.providers()) {
      statuses.put(p.id(), healthy(p.id(), HEAD, HEAD));
    }
    return snapshot(statuses);
  }

  private static ChainSnapshot snapshot(Map<String, ProviderStatus> statuses) {
    return new ChainSnapshot("ethereum", 1, HEAD, statuses);
  }
}
