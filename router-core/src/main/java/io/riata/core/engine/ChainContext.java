package io.riata.core.engine;

import io.riata.core.config.ChainConfig;
import io.riata.core.health.ServedHead;
import io.riata.core.failover.OutcomeKind;
import io.riata.core.rollup.RollupRecorder;
import io.riata.core.selection.BreakerView;
import io.riata.core.selection.ChainSnapshot;
import io.riata.core.selection.LatencyView;

/**
 * What the engine reads and records for one chain on this node. Every method is called on the
 * request path: reads are volatile reads of immutable state, records are lock-free.
 */
public interface ChainContext {

  ChainConfig config();

  /** The chain's latest snapshot from its pool (heads, lag, drains, the authority's breaker phases). */
  ChainSnapshot snapshot();

  /** This node's breaker phase per provider (may be open locally before the cluster agrees). */
  BreakerView breakers();

  LatencyView latency();

  /**
   * The highest head this node has served for the chain, and the providers' heads as this node
   * has seen them since the last snapshot.
   */
  ServedHead servedHead();

  /** The dashboard's counters for this chain on this node. */
  RollupRecorder rollup();

  /**
   * Records one attempt's ending against the provider (counters the pool and breakers follow,
   * the local breaker view, latency, the rollup).
   *
   * @param rateLimitedUntilMillis when a rate-limited provider may be asked again (wall clock), else 0
   */
  void recordAttempt(String providerId, String method, OutcomeKind kind, String reason, long nanos,
                     long rateLimitedUntilMillis);
}
