package io.riata.http.data;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code riata.http} from reference.conf / application.conf, read once at start. */
public record HttpSettings(
    String host,
    int port,
    long maxBodyBytes,
    int maxBatchLength,
    int maxAttempts,
    Duration defaultDeadline,
    Map<String, Duration> methodDeadlines,
    Duration bodyReadTimeout,
    Duration unreadyGrace,
    int eventLoops,
    int maxHeaderBytes,
    Duration idleTimeout,
    List<String> corsOrigins,
    Duration corsMaxAge,
    Duration drainGrace,
    int maxConnections,
    Duration headerReadTimeout) {

  public static HttpSettings from(Config root) {
    Config c = root.getConfig("riata.http");
    Map<String, Duration> deadlines = new HashMap<>();
    Config d = c.getConfig("deadlines.methods");
    for (String key : d.root().keySet()) {
      deadlines.put(key, d.getDuration("\"" + key + "\""));
    }
    return new HttpSettings(
        c.getString("host"),
        c.getInt("port"),
        c.getBytes("limits.max-body-size"),
        c.getInt("limits.max-batch-length"),
        c.getInt("failover.max-attempts"),
        c.getDuration("deadlines.default"),
        Map.copyOf(deadlines),
        c.getDuration("limits.body-read-timeout"),
        c.getDuration("shutdown.unready-grace"),
        c.getInt("event-loops"),
        (int) Math.min(Integer.MAX_VALUE, c.getBytes("limits.max-header-size")),
        c.getDuration("limits.idle-timeout"),
        List.copyOf(c.getStringList("cors.allowed-origins")),
        c.getDuration("cors.max-age"),
        c.getDuration("shutdown.drain-grace"),
        atLeastOne(c, "limits.max-connections"),
        c.getDuration("limits.header-read-timeout"));
  }

  private static int atLeastOne(Config c, String key) {
    int n = c.getInt(key);
    if (n < 1) {
      throw new IllegalArgumentException("riata.http." + key + " must be at least 1, got " + n);
    }
    return n;
  }

  public HttpSettings withPort(int newPort) {
    return new HttpSettings(host, newPort, maxBodyBytes, maxBatchLength, maxAttempts, defaultDeadline,
        methodDeadlines, bodyReadTimeout, unreadyGrace, eventLoops, maxHeaderBytes, idleTimeout, corsOrigins,
        corsMaxAge, drainGrace, maxConnections, headerReadTimeout);
  }
}
