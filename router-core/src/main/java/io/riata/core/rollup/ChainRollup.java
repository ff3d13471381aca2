package io.riata.core.rollup;

import java.util.List;

/**
 * One chain over one interval, from one node or merged over the cluster.
 *
 * @param chainHead       the chain head as the chain's pool published it, -1 if unknown
 * @param snapshotVersion version of the pool snapshot the states come from (the newest wins a merge)
 * @param decisions       a capped sample of routing decisions in the interval
 */
public record ChainRollup(String chain, long chainHead, long snapshotVersion, List<ProviderRollup> providers,
                          List<Decision> decisions) {

  public ChainRollup {
    providers = List.copyOf(providers);
    decisions = List.copyOf(decisions);
  }
}
