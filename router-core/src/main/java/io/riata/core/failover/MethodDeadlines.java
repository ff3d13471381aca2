package io.riata.core.failover;

import java.time.Duration;
import java.util.Map;

/**
 * How long a request may take in all, attempts and failover included, by method. A method not in
 * the map gets the default; {@code debug_*} and {@code trace_*} methods, slow by nature, may be
 * given a longer budget by prefix ({@code "debug_*"}).
 */
public final class MethodDeadlines {

  private final Map<String, Duration> byMethod;
  private final Duration fallback;

  public MethodDeadlines(Map<String, Duration> byMethod, Duration fallback) {
    if (fallback.isNegative() || fallback.isZero()) {
      throw new IllegalArgumentException("default deadline must be positive, got " + fallback);
    }
    this.byMethod = Map.copyOf(byMethod);
    this.fallback = fallback;
  }

  public Duration deadline(String method) {
    Duration exact = byMethod.get(method);
    if (exact != null) {
      return exact;
    }
    int underscore = method.indexOf('_');
    if (underscore > 0) {
      Duration byPrefix = byMethod.get(method.substring(0, underscore + 1) + "*");
      if (byPrefix != null) {
        return byPrefix;
      }
    }
    return fallback;
  }

  public Duration fallback() {
    return fallback;
  }
}
