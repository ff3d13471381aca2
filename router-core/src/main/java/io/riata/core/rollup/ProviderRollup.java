package io.riata.core.rollup;

import io.riata.core.breaker.BreakerPhase;
import java.util.List;

/**
 * One provider of a chain over one interval: its state at the end of the interval and its
 * traffic per method.
 *
 * @param head    last block the provider reported, -1 if unknown
 * @param lag     blocks behind the chain head, -1 if unknown
 * @param breaker the cluster breaker's phase as published by the chain's pool
 * @param localOpenNodes nodes on which the provider is tripped open locally (fast failure path)
 */
public record ProviderRollup(String providerId, long head, long lag, BreakerPhase breaker, boolean drained,
                             boolean rateLimited, int localOpenNodes, List<MethodStats> methods, boolean rogue,
                             long safe, long finalized, boolean finalizedWentBack) {

  public ProviderRollup {
    methods = List.copyOf(methods);
  }

  /** A provider that is not rogue, with finality unknown. */
  public ProviderRollup(String providerId, long head, long lag, BreakerPhase breaker, boolean drained,
                        boolean rateLimited, int localOpenNodes, List<MethodStats> methods) {
    this(providerId, head, lag, breaker, drained, rateLimited, localOpenNodes, methods, false, -1, -1, false);
  }

  public ProviderRollup withMethods(List<MethodStats> next) {
    return new ProviderRollup(providerId, head, lag, breaker, drained, rateLimited, localOpenNodes, next, rogue,
        safe, finalized, finalizedWentBack);
  }
}
