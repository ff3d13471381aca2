package io.riata.http.data;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;

/** {@code riata.http.websocket}, read once at start. */
public record WsSettings(int maxInFlight, long maxMessageBytes, Duration messageReadTimeout, int maxSubscriptions,
                         int sendBuffer, Duration idleTimeout, Duration pingInterval, List<String> allowedOrigins,
                         int maxConnections, int maxUpstreamSocketsPerChain) {

  public static WsSettings from(Config root) {
    Config c = root.getConfig("riata.http.websocket");
    return new WsSettings(
        c.getInt("max-in-flight"),
        c.getBytes("max-message-size"),
        c.getDuration("message-read-timeout"),
        c.getInt("max-subscriptions"),
        c.getInt("send-buffer"),
        c.getDuration("idle-timeout"),
        c.getDuration("ping-interval"),
        List.copyOf(c.getStringList("allowed-origins")),
        atLeastOne(c, "max-connections"),
        atLeastOne(c, "max-upstream-sockets-per-chain"));
  }

  private static int atLeastOne(Config c, String key) {
    int max = c.getInt(key);
    if (max < 1) {
      throw new IllegalArgumentException("riata.http.websocket." + key + " must be at least 1, got " + max);
    }
    return max;
  }
}
