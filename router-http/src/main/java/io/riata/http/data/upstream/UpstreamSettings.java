package io.riata.http.data.upstream;

import com.typesafe.config.Config;
import io.riata.core.engine.ConcurrencyLimiter;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code riata.http.upstream}: how Riata talks to providers.
 *
 * @param concurrency            attempts in flight per provider: the node's default cap and how the
 *                               limit adapts below it
 * @param passThroughAbove       replies to a single HTTP request larger than this many bytes go to
 *                               the client as they arrive, once their start shows a result; 0: never
 * @param trustedCertificates    a PEM file of CA certificates trusted beside the JDK's own, or {@code null}
 * @param socketHandshakeTimeout time from the TCP connect to the WebSocket upgrade of a subscription
 *                               socket (TLS handshake included)
 */
public record UpstreamSettings(Duration connectTimeout, ConcurrencyLimiter.Settings concurrency, Duration probeTimeout,
                               int maxResponseBytes, long passThroughAbove, Duration idleTimeout, Path trustedCertificates,
                               Duration socketHandshakeTimeout) {

  public static UpstreamSettings from(Config root) {
    Config c = root.getConfig("riata.http.upstream");
    long maxResponse = c.getBytes("max-response-size");
    if (maxResponse < 1024 || maxResponse > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("riata.http.upstream.max-response-size must be 1KiB .. 2GiB, got " + maxResponse);
    }
    long passThrough = c.getBytes("pass-through-above");
    if (passThrough != 0 && (passThrough < 64 * 1024 || passThrough > maxResponse)) {
      throw new IllegalArgumentException("riata.http.upstream.pass-through-above must be 0 (never) or 64KiB .. "
          + "max-response-size (" + maxResponse + " bytes), got " + passThrough);
    }
    String ca = c.getString("tls.trusted-certificates").strip();
    return new UpstreamSettings(
        c.getDuration("connect-timeout"),
        concurrency(c),
        c.getDuration("probe-timeout"),
        (int) maxResponse,
        passThrough,
        c.getDuration("idle-timeout"),
        ca.isEmpty() ? null : Path.of(ca),
        c.getDuration("socket-handshake-timeout"));
  }

  private static ConcurrencyLimiter.Settings concurrency(Config c) {
    Config a = c.getConfig("adaptive-concurrency");
    try {
      return new ConcurrencyLimiter.Settings(ConcurrencyLimiter.Algorithm.parse(a.getString("algorithm")),
          c.getInt("max-concurrency"), a.getInt("initial-limit"), a.getInt("min-limit"), a.getDouble("rtt-tolerance"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("riata.http.upstream.adaptive-concurrency: " + e.getMessage(), e);
    }
  }
}
