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
 * @param retries         the chain's retries, hedges and budget refusals in the interval
 */
public record ChainRollup(String chain, long chainHead, long snapshotVersion, List<ProviderRollup> providers,
                          List<Decision> decisions, int standInNodes, RetryCounts retries) {

  public ChainRollup {
    providers = List.copyOf(providers);
    decisions = List.copyOf(decisions);
    if (retries == null) {
      retries = RetryCounts.NONE; // a rollup from a node that does not count them yet
    }
  }

  /** No retry or hedge counted. */
  public ChainRollup(String chain, long chainHead, long snapshotVersion, List<ProviderRollup> providers,
                     List<Decision> decisions, int standInNodes) {
    this(chain, chainHead, snapshotVersion, providers, decisions, standInNodes, RetryCounts.NONE);
  }

  /** No node standing in for the pool. */
  public ChainRollup(String chain, long chainHead, long snapshotVersion, List<ProviderRollup> providers,
                     List<Decision> decisions) {
    this(chain, chainHead, snapshotVersion, providers, decisions, 0, RetryCounts.NONE);
  }
}
