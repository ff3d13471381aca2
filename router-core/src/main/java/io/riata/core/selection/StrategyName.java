package io.riata.core.selection;

import java.util.Optional;

/** The selection strategies, by the names used in URLs and {@code chains.yml}. */
public enum StrategyName {
  FASTEST("fastest"),
  LOAD_BALANCED("load-balanced"),
  ROUND_ROBIN("round-robin"),
  LATENCY_WEIGHTED("latency-weighted"),
  PRIORITY("priority");

  private final String id;

  StrategyName(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  public static Optional<StrategyName> parse(String text) {
    for (StrategyName s : values()) {
      if (s.id.equals(text)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
