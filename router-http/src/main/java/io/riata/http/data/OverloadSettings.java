package io.riata.http.data;

import com.typesafe.config.Config;
import io.riata.core.engine.RetryBudget;

/**
 * {@code riata.http.admission} and {@code riata.http.failover.retry-budget}: how much this node
 * takes on, and how much it may retry.
 *
 * @param maxInFlight requests in flight on this node at most (a batch's elements count one each)
 */
public record OverloadSettings(int maxInFlight, RetryBudget.Settings retryBudget) {

  public static OverloadSettings from(Config root) {
    Config http = root.getConfig("riata.http");
    int maxInFlight = http.getInt("admission.max-in-flight");
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("riata.http.admission.max-in-flight must be at least 1, got " + maxInFlight);
    }
    Config b = http.getConfig("failover.retry-budget");
    try {
      return new OverloadSettings(maxInFlight,
          new RetryBudget.Settings(b.getDouble("ratio"), b.getInt("min-per-second"), b.getDuration("window")));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("riata.http.failover.retry-budget: " + e.getMessage(), e);
    }
  }
}
