package io.riata.core.rollup;

import java.util.List;

/**
 * One chain over one interval, from one node or merged over the cluster.
 *
 * @param chainHead       the chain head as the chain's pool published it, -1 if unknown
 * @param snapshotVersion version of the pool snapshot the states come from (the newest wins a merge)
 * @param decisions       a capped sample of routing decisions in the interval
 * @param standInNodes    nodes that probe the chain's heads themselves because its pool is silent
 *                        (0 or 1 from one node, summed over the cluster)
 */
public record ChainRollup(String chain, long chainHead, long snapshotVersion, List<ProviderRollup> providers,
                          List<Decision> decisions, int standInNodes) {

  public ChainRollup {
    providers = List.copyOf(providers);
    decisions = List.copyOf(decisions);
  }

  /** No node standing in for the pool. */
  public ChainRollup(String chain, long chainHead, long snapshotVersion, List<ProviderRollup> providers,
                     List<Decision> decisions) {
    this(chain, chainHead, snapshotVersion, providers, decisions, 0);
  }
}
