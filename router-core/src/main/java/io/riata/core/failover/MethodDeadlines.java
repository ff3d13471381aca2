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
    java.util.List<String> prefixes = new java.util.ArrayList<>();
    java.util.List<Duration> durations = new java.util.ArrayList<>();
    byMethod.forEach((key, value) -> {
      if (key.endsWith("_*")) {
        prefixes.add(key.substring(0, key.length() - 1));
        durations.add(value);
      }
    });
    this.prefixes = prefixes.toArray(new String[0]);
    this.prefixDeadlines = durations.toArray(new Duration[0]);
  }

  /** {@code "debug_"} for the entry {@code "debug_*"}: matched by a scan that allocates nothing (it runs per request). */
  private final String[] prefixes;
  private final Duration[] prefixDeadlines;

  public Duration deadline(String method) {
    Duration exact = byMethod.get(method);
    if (exact != null) {
      return exact;
    }
    int underscore = method.indexOf('_');
    if (underscore > 0) {
      for (int i = 0; i < prefixes.length; i++) {
        String prefix = prefixes[i];
        if (prefix.length() == underscore + 1 && method.startsWith(prefix)) {
          return prefixDeadlines[i];
        }
      }
    }
    return fallback;
  }

  public Duration fallback() {
    return fallback;
  }
}
