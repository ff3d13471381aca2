package io.riata.http.data;

import com.typesafe.config.Config;
import io.riata.core.engine.LatencyHedge;
import io.riata.core.engine.LoopLagAdmission;
import io.riata.core.engine.RetryBudget;

/**
 * {@code riata.http.admission}, {@code riata.http.failover.retry-budget}, {@code riata.http.hedge}
 * and {@code riata.http.limits.max-batch-concurrency}: how much this node takes on, and how much it
 * may retry and hedge.
 *
 * @param maxInFlight         requests in flight on this node at most (a batch's elements count one each)
 * @param loopLag             admission on each event loop's lag; {@code null} when off
 * @param hedge               when reads are hedged; {@code null} when they never are
 * @param maxBatchConcurrency elements of one batch in flight at once at most
 */
public record OverloadSettings(int maxInFlight, LoopLagAdmission.Settings loopLag, RetryBudget.Settings retryBudget,
                               LatencyHedge.Settings hedge, int maxBatchConcurrency) {

  public static OverloadSettings from(Config root) {
    Config http = root.getConfig("riata.http");
    int maxInFlight = http.getInt("admission.max-in-flight");
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("riata.http.admission.max-in-flight must be at least 1, got " + maxInFlight);
    }
    Config b = http.getConfig("failover.retry-budget");
    RetryBudget.Settings budget;
    try {
      budget = new RetryBudget.Settings(b.getDouble("ratio"), b.getInt("min-per-second"), b.getDuration("window"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("riata.http.failover.retry-budget: " + e.getMessage(), e);
    }
    int batchConcurrency = http.getInt("limits.max-batch-concurrency");
    if (batchConcurrency < 1) {
      throw new IllegalArgumentException("riata.http.limits.max-batch-concurrency must be at least 1, got "
          + batchConcurrency);
    }
    return new OverloadSettings(maxInFlight, loopLag(http.getConfig("admission.loop-lag")), budget,
        hedge(http.getConfig("hedge")), batchConcurrency);
  }

  private static LoopLagAdmission.Settings loopLag(Config lag) {
    if (!lag.getBoolean("enabled")) {
      return null;
    }
    try {
      return new LoopLagAdmission.Settings(lag.getDuration("target"), lag.getDuration("interval"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("riata.http.admission.loop-lag: " + e.getMessage(), e);
    }
  }

  private static LatencyHedge.Settings hedge(Config h) {
    if (!h.getBoolean("enabled")) {
      return null;
    }
    String delay = h.getString("delay").trim();
    try {
      return new LatencyHedge.Settings(delay.equalsIgnoreCase("p95") ? null : h.getDuration("delay"),
          h.getDuration("min"), h.getDuration("max"));
    } catch (IllegalArgumentException | com.typesafe.config.ConfigException e) {
      throw new IllegalArgumentException("riata.http.hedge: " + e.getMessage()
          + " (delay is p95 or a duration such as 100ms)", e);
    }
  }
}
