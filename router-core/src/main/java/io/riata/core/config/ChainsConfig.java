package io.riata.core.config;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Everything {@code chains.yml} declares, validated. Immutable. */
public record ChainsConfig(String source, Map<String, ChainConfig> chains, Map<String, ProfileConfig> profiles) {

  public ChainsConfig {
    chains = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(chains));
    profiles = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(profiles));
  }

  /** Finds a chain by its name or by its decimal chain id. */
  public Optional<ChainConfig> chain(String nameOrId) {
    ChainConfig byName = chains.get(nameOrId);
    if (byName != null) {
      return Optional.of(byName);
    }
    for (ChainConfig c : chains.values()) {
      if (Long.toString(c.chainId()).equals(nameOrId)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  public Collection<ChainConfig> allChains() {
    return chains.values();
  }
}
