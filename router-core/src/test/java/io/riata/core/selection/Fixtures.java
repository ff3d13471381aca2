package io.riata.core.selection;

import io.riata.core.breaker.BreakerPhase;
import io.riata.core.config.ChainConfig;
import io.riata.core.config.ProviderConfig;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

final class Fixtures {
  private Fixtures() {}

  static ProviderConfig provider(String id) {
    return provider(id, 1, 1, false);
  }

  static ProviderConfig provider(String id, int priority, int weight, boolean archival) {
    return new ProviderConfig(
        id, URI.create("https://" + id + ".example"), null, priority, weight, archival,
        Set.of(), Set.of(), null, Map.of(), 16);
  }

  static ProviderConfig withMethods(String id, Set<String> allow, Set<String> deny) {
    return new ProviderConfig(
        id, URI.create("https://" + id + ".example"), null, 1, 1, false, allow, deny, null, Map.of(), 16);
  }

  static ChainConfig chain(ProviderConfig... providers) {
    return new ChainConfig("ethereum", 1, Duration.ofSeconds(12), 5, "fastest", 128, List.of(providers));
  }

  static ProviderStatus healthy(String id, long head, long chainHead) {
    return new ProviderStatus(id, head, chainHead - head, false, 0, BreakerPhase.CLOSED);
  }

  static Candidate[] candidates(ProviderConfig... providers) {
    Candidate[] c = new Candidate[providers.length];
    for (int i = 0; i < providers.length; i++) {
      c[i] = new Candidate(providers[i], i, HealthTier.HEALTHY, Double.NaN);
    }
    return c;
  }

  static Candidate[] candidates(ProviderConfig[] providers, double[] latencies) {
    Candidate[] c = new Candidate[providers.length];
    for (int i = 0; i < providers.length; i++) {
      c[i] = new Candidate(providers[i], i, HealthTier.HEALTHY, latencies[i]);
    }
    return c;
  }

  static List<String> ids(Candidate[] candidates) {
    List<String> ids = new ArrayList<>();
    for (Candidate c : candidates) {
      ids.add(c.provider().id());
    }
    return ids;
  }

  static List<String> ids(Selection selection) {
    List<String> ids = new ArrayList<>();
    for (ProviderConfig p : selection.providers()) {
      ids.add(p.id());
    }
    return ids;
  }
}
