package io.riata.core.config;

import java.util.Set;

/**
 * A named subset of chains and providers, used through {@code /rpc/profile/{profile}/{chain}}.
 * An empty set means "all".
 */
public record ProfileConfig(String name, Set<String> chains, Set<String> providers) {

  public ProfileConfig {
    chains = Set.copyOf(chains);
    providers = Set.copyOf(providers);
  }

  public boolean includesChain(String chain) {
    return chains.isEmpty() || chains.contains(chain);
  }

  public boolean includesProvider(String providerId) {
    return providers.isEmpty() || providers.contains(providerId);
  }
}
