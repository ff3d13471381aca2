package io.riata.core.selection;

import static io.riata.core.selection.Fixtures.candidates;
import static io.riata.core.selection.Fixtures.ids;
import static io.riata.core.selection.Fixtures.provider;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.riata.core.config.ProviderConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class StrategiesTest {
  private static final double NAN = Double.NaN;
  private static final ProviderConfig A = provider("a");
  private static final ProviderConfig B = provider("b");
  private static final ProviderConfig C = provider("c");
  private static final ProviderConfig D = provider("d");

  @ParameterizedTest
  @EnumSource(StrategyName.class)
  void createsAFreshInstanceOfTheNamedStrategy(StrategyName name) {
    Strategy first = Strategies.create(name);
    assertEquals(name, first.name());
    assertNotSame(first, Strategies.create(name));
  }

  @ParameterizedTest
  @EnumSource(StrategyName.class)
  void everyStrategyReturnsAPermutation(StrategyName name) {
    Strategy s = Strategies.create(name, () -> new Random(7));
    for (int i = 0; i < 100; i++) {
      Candidate[] c = candidates(new ProviderConfig[] {A, B, C, D}, new double[] {3e6, NAN, 1e6, 2e6});
      s.order(c, 4, "eth_call");
      assertEquals(Set.of("a", "b", "c", "d"), new HashSet<>(ids(c)));
    }
  }

  @Test
  void priorityOrdersAscendingWithConfigurationOrderOnTies() {
    Candidate[] c = candidates(provider("p3", 3, 1, false), provider("p1", 1, 1, false),
        provider("p2a", 2, 1, false), provider("p2b", 2, 1, false));
    Strategies.create(StrategyName.PRIORITY).order(c, 4, "eth_call");
    assertEquals(List.of("p1", "p2a", "p2b", "p3"), ids(c));
  }

  @Test
  void priorityOnlyTouchesTheFirstCountEntries() {
    Candidate[] c = candidates(provider("x", 9, 1, false), provider("y", 1, 1, false), provider("z", 0, 1, false));
    Strategies.create(StrategyName.PRIORITY).order(c, 2, "eth_call");
    assertEquals(List.of("y", "x", "z"), ids(c));
  }

  @Test
  void roundRobinRotatesTheStartingProvider() {
    Strategy s = Strategies.create(StrategyName.ROUND_ROBIN);
    List<List<String>> orders = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Candidate[] c = candidates(A, B, C);
      s.order(c, 3, "eth_call");
      orders.add(ids(c));
    }
    assertEquals(List.of(
        List.of("a", "b", "c"), List.of("b", "c", "a"), List.of("c", "a", "b"), List.of("a", "b", "c")), orders);
  }

  @Test
  void roundRobinSpreadsFirstAttemptsEvenly() {
    Strategy s = Strategies.create(StrategyName.ROUND_ROBIN);
    Map<String, Integer> first = new HashMap<>();
    for (int i = 0; i < 3000; i++) {
      Candidate[] c = candidates(A, B, C);
      s.order(c, 3, i % 2 == 0 ? "eth_call" : "eth_getLogs");
      first.merge(c[0].provider().id(), 1, Integer::sum);
    }
    assertEquals(Map.of("a", 1000, "b", 1000, "c", 1000), first);
  }

  @Test
  void loadBalancedMatchesWeightsOverManyDraws() {
    ProviderConfig light = provider("light", 1, 1, false);
    ProviderConfig medium = provider("medium", 1, 2, false);
    ProviderConfig heavy = provider("heavy", 1, 7, false);
    Random seeded = new Random(42);
    Strategy s = Strategies.create(StrategyName.LOAD_BALANCED, () -> seeded);
    Map<String, Integer> first = new HashMap<>();
    Map<String, Integer> secondWhenHeavyFirst = new HashMap<>();
    int draws = 10_000;
    for (int i = 0; i < draws; i++) {
      Candidate[] c = candidates(light, medium, heavy);
      s.order(c, 3, "eth_call");
      first.merge(c[0].provider().id(), 1, Integer::sum);
      if (c[0].provider() == heavy) {
        secondWhenHeavyFirst.merge(c[1].provider().id(), 1, Integer::sum);
      }
    }
    assertNear(0.1, first.get("light") / (double) draws, 0.02);
    assertNear(0.2, first.get("medium") / (double) draws, 0.02);
    assertNear(0.7, first.get("heavy") / (double) draws, 0.02);
    // Failover after the heavy one: drawn between light (1) and medium (2).
    int afterHeavy = secondWhenHeavyFirst.values().stream().mapToInt(Integer::intValue).sum();
    assertNear(2 / 3.0, secondWhenHeavyFirst.get("medium") / (double) afterHeavy, 0.03);
  }

  @Test
  void loadBalancedIsDeterministicForASeed() {
    List<List<String>> runs = new ArrayList<>();
    for (int run = 0; run < 2; run++) {
      Random seeded = new Random(1);
      Strategy s = Strategies.create(StrategyName.LOAD_BALANCED, () -> seeded);
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < 50; i++) {
        Candidate[] c = candidates(A, B, C);
        s.order(c, 3, "eth_call");
        sb.append(ids(c));
      }
      runs.add(List.of(sb.toString()));
    }
    assertEquals(runs.get(0), runs.get(1));
  }

  @Test
  void fastestOrdersByLatencyOfTheMethod() {
    Candidate[] c = candidates(new ProviderConfig[] {A, B, C}, new double[] {30e6, 10e6, 20e6});
    Strategies.create(StrategyName.FASTEST).order(c, 3, "eth_call");
    assertEquals(List.of("b", "c", "a"), ids(c));
  }

  @Test
  void fastestPutsUnmeasuredLastByPriorityExceptOnExplorationTurns() {
    ProviderConfig lowPriority = provider("u-low", 5, 1, false);
    ProviderConfig highPriority = provider("u-high", 0, 1, false);
    Strategy s = Strategies.create(StrategyName.FASTEST);
    List<String> firsts = new ArrayList<>();
    for (int i = 0; i < 2 * FastestStrategy.EXPLORE_EVERY; i++) {
      Candidate[] c = candidates(new ProviderConfig[] {lowPriority, A, highPriority, B}, new double[] {NAN, 20e6, NAN, 10e6});
      s.order(c, 4, "eth_call");
      if (i == 1) {
        assertEquals(List.of("b", "a", "u-high", "u-low"), ids(c));
      }
      firsts.add(c[0].provider().id());
    }
    // Turn 0 explores the first unmeasured one, turn 32 the next; everything else goes to the fastest.
    assertEquals("u-high", firsts.get(0));
    assertEquals("u-low", firsts.get(FastestStrategy.EXPLORE_EVERY));
    long explored = firsts.stream().filter(id -> id.startsWith("u-")).count();
    assertEquals(2, explored);
    assertEquals(2 * FastestStrategy.EXPLORE_EVERY - 2, firsts.stream().filter("b"::equals).count());
  }

  @Test
  void fastestWithNothingMeasuredFollowsPriorityThenConfiguration() {
    Strategy s = Strategies.create(StrategyName.FASTEST);
    for (int i = 0; i < 3; i++) {
      Candidate[] c = candidates(provider("x", 2, 1, false), provider("y", 1, 1, false), provider("z", 2, 1, false));
      s.order(c, 3, "eth_call");
      assertEquals(List.of("y", "x", "z"), ids(c));
    }
  }

  @Test
  void latencyWeightedPicksByInverseSquareLatency() {
    // 1 ms, 2 ms, 4 ms: weights 1, 1/4, 1/16 -> shares 16/21, 4/21, 1/21.
    Random seeded = new Random(3);
    Strategy s = Strategies.create(StrategyName.LATENCY_WEIGHTED, () -> seeded);
    Map<String, Integer> first = new HashMap<>();
    int draws = 10_000;
    for (int i = 0; i < draws; i++) {
      Candidate[] c = candidates(new ProviderConfig[] {C, B, A}, new double[] {4e6, 2e6, 1e6});
      s.order(c, 3, "eth_call");
      first.merge(c[0].provider().id(), 1, Integer::sum);
      List<String> rest = ids(c).subList(1, 3);
      List<String> expected = new ArrayList<>(List.of("a", "b", "c"));
      expected.remove(c[0].provider().id());
      assertEquals(expected, rest, "the rest follow by latency");
    }
    assertNear(16 / 21.0, first.get("a") / (double) draws, 0.02);
    assertNear(4 / 21.0, first.get("b") / (double) draws, 0.02);
    assertNear(1 / 21.0, first.get("c") / (double) draws, 0.01);
  }

  @Test
  void latencyWeightedGivesUnmeasuredTheMedianWeight() {
    // Measured 1, 2, 4 ms: median weight 1/4, the same as b's, so u and b are drawn equally often.
    Random seeded = new Random(5);
    Strategy s = Strategies.create(StrategyName.LATENCY_WEIGHTED, () -> seeded);
    Map<String, Integer> first = new HashMap<>();
    ProviderConfig u = provider("u");
    for (int i = 0; i < 10_000; i++) {
      Candidate[] c = candidates(new ProviderConfig[] {u, A, B, C}, new double[] {NAN, 1e6, 2e6, 4e6});
      s.order(c, 4, "eth_call");
      first.merge(c[0].provider().id(), 1, Integer::sum);
      if (c[0].provider() != u) {
        assertEquals("u", c[3].provider().id(), "unmeasured stays last unless drawn first");
      }
    }
    assertNear(4 / 25.0, first.get("u") / 10_000.0, 0.02);
    assertNear(4 / 25.0, first.get("b") / 10_000.0, 0.02);
    assertNear(16 / 25.0, first.get("a") / 10_000.0, 0.02);
  }

  @Test
  void latencyWeightedWithNothingMeasuredDrawsUniformly() {
    Random seeded = new Random(11);
    Strategy s = Strategies.create(StrategyName.LATENCY_WEIGHTED, () -> seeded);
    Map<String, Integer> first = new HashMap<>();
    for (int i = 0; i < 9_000; i++) {
      Candidate[] c = candidates(A, B, C);
      s.order(c, 3, "eth_call");
      first.merge(c[0].provider().id(), 1, Integer::sum);
    }
    for (String id : List.of("a", "b", "c")) {
      assertNear(1 / 3.0, first.get(id) / 9_000.0, 0.03);
    }
  }

  private static void assertNear(double expected, double actual, double tolerance) {
    assertTrue(Math.abs(expected - actual) <= tolerance,
        () -> "expected " + expected + " +/- " + tolerance + " but was " + actual);
  }
}
