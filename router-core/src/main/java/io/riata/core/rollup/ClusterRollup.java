package io.riata.core.rollup;

import java.util.List;

/**
 * The cluster's traffic in one aggregation tick: the node rollups that arrived in it, merged.
 * This is what the dashboard feed sends (as JSON, see docs/dashboard-feed.md).
 *
 * @param version          schema version of this record, {@link #SCHEMA_VERSION}
 * @param seq              increases by one per tick of one aggregator incarnation
 * @param aggregator       cluster address of the node hosting the aggregator
 * @param aggregatorSince  wall-clock millis when that aggregator started; changes when it moves
 * @param intervalMillis   time since the previous tick: divide counts by it for rates
 * @param members          the cluster's members as the aggregator's node sees them
 * @param reportingNodes   nodes whose rollups are merged in
 */
public record ClusterRollup(int version, long seq, long atMillis, long intervalMillis, String aggregator,
                            long aggregatorSince, List<Member> members, List<String> reportingNodes,
                            List<ChainRollup> chains) {

  public static final int SCHEMA_VERSION = 1;

  /** A cluster member: its address and membership status (lower case: up, leaving, exiting, ...). */
  public record Member(String address, String status) {}

  public ClusterRollup {
    members = List.copyOf(members);
    reportingNodes = List.copyOf(reportingNodes);
    chains = List.copyOf(chains);
  }
}
