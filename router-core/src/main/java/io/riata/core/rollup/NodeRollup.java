package io.riata.core.rollup;

import java.util.List;

/**
 * What one node routed in one interval (counts are deltas, not totals), and the states it saw at
 * its end.
 *
 * @param seq increases by one per rollup of this node incarnation
 */
public record NodeRollup(String nodeId, long seq, long fromMillis, long toMillis, List<ChainRollup> chains) {

  public NodeRollup {
    chains = List.copyOf(chains);
  }
}
