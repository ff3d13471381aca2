package io.riata.core.selection;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/** Creates strategies by name. Each call returns a new instance with its own counters. */
public final class Strategies {

  private Strategies() {}

  /** A strategy drawing its randomness from {@link ThreadLocalRandom}. */
  public static Strategy create(StrategyName name) {
    return create(name, ThreadLocalRandom::current);
  }

  /**
   * A strategy drawing its randomness from {@code random}, called once per request that needs it.
   * Tests pass a seeded generator; it is then only safe to use from one thread.
   */
  public static Strategy create(StrategyName name, Supplier<? extends RandomGenerator> random) {
    return switch (name) {
      case PRIORITY -> new PriorityStrategy();
      case ROUND_ROBIN -> new RoundRobinStrategy();
      case LOAD_BALANCED -> new LoadBalancedStrategy(random);
      case FASTEST -> new FastestStrategy();
      case LATENCY_WEIGHTED -> new LatencyWeightedStrategy(random);
    };
  }
}
