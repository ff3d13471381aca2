package io.riata.core.selection;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The immutable view of one chain that its pool publishes and every node reads per request.
 * Replaced whole, never mutated.
 *
 * @param version   increases with every publication from the same pool incarnation
 * @param chainHead highest credible head of the chain, or -1 before any provider answered; never decreases
 */
public record ChainSnapshot(String chain, long version, long chainHead, Map<String, ProviderStatus> providers) {

  public ChainSnapshot {
    providers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(providers));
  }

  public static ChainSnapshot empty(String chain, Collection<String> providerIds) {
    Map<String, ProviderStatus> map = new LinkedHashMap<>();
    for (String id : providerIds) {
      map.put(id, ProviderStatus.unknown(id));
    }
    return new ChainSnapshot(chain, 0, -1, map);
  }

  public ProviderStatus provider(String id) {
    ProviderStatus s = providers.get(id);
    return s != null ? s : ProviderStatus.unknown(id);
  }
}
