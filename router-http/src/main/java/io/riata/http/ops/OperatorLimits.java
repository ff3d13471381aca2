package io.riata.http.ops;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * What one client can make the operator port hold: {@code riata.http.admin.limits} and
 * {@code riata.http.admin.dashboard}, read once at start.
 *
 * @param maxConnections       HTTP connections open at once; the next is answered 503 and closed
 * @param maxUriLength         longest request target; longer gets 414
 * @param maxHeaderValueLength longest value of one header; longer gets 431
 * @param maxHeaderCount       most headers in one request; more gets 431
 * @param headerReadTimeout    time for a whole request head, from the connection's start or its
 *                             previous answer; past it the connection is closed
 * @param bodyReadTimeout      time for a request body once its head arrived; past it 408
 * @param maxFeedSubscribers   {@code /ws/dashboard} connections at once; the next upgrade gets 503
 */
public record OperatorLimits(int maxConnections, int maxUriLength, int maxHeaderValueLength, int maxHeaderCount,
                             Duration headerReadTimeout, Duration bodyReadTimeout, int maxFeedSubscribers) {

  public static OperatorLimits from(Config root) {
    Config admin = root.getConfig("riata.http.admin");
    Config c = admin.getConfig("limits");
    return new OperatorLimits(
        atLeastOne("limits.max-connections", c.getInt("max-connections")),
        atLeastOne("limits.max-uri-length", c.getBytes("max-uri-length")),
        atLeastOne("limits.max-header-value-length", c.getBytes("max-header-value-length")),
        atLeastOne("limits.max-header-count", c.getInt("max-header-count")),
        positive("limits.header-read-timeout", c.getDuration("header-read-timeout")),
        positive("limits.body-read-timeout", c.getDuration("body-read-timeout")),
        atLeastOne("dashboard.max-subscribers", admin.getInt("dashboard.max-subscribers")));
  }

  private static int atLeastOne(String key, long value) {
    if (value < 1 || value > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("riata.http.admin." + key + " must be 1 .. " + Integer.MAX_VALUE + ", got " + value);
    }
    return (int) value;
  }

  private static Duration positive(String key, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException("riata.http.admin." + key + " must be above zero, got " + value);
    }
    return value;
  }
}
