package io.riata.http.data;

import io.riata.core.engine.Attempt;
import io.riata.core.engine.Outcome;
import java.util.List;

/**
 * What the {@code X-Riata-*} headers of an HTTP answer say: who answered, how many attempts it
 * took, and (for a single request) how each attempt ended.
 *
 * @param attemptLog {@code provider=reason, ...}, or {@code null} when there is none to show
 */
public record RoutingHeaders(String provider, int attempts, String attemptLog) {

  public static final String PROVIDER = "X-Riata-Provider";
  public static final String ATTEMPTS = "X-Riata-Attempts";
  public static final String ATTEMPT_LOG = "X-Riata-Attempt-Log";

  /** The attempt log of one request: {@code provider=reason, ...}; {@code null} when it made no attempt. */
  public static String attemptLog(List<Attempt> attempts) {
    if (attempts.isEmpty()) {
      return null;
    }
    StringBuilder log = new StringBuilder(attempts.size() * 24);
    for (Attempt a : attempts) {
      append(a, log);
    }
    return log.toString();
  }

  /** @param single the message was one request (a batch gets no attempt log) */
  public static RoutingHeaders of(List<? extends Outcome<?>> routed, boolean single) {
    StringBuilder providers = new StringBuilder();
    int attempts = 0;
    StringBuilder log = single ? new StringBuilder() : null;
    for (Outcome<?> o : routed) {
      String id = o.providerId();
      if (id != null && !listed(providers, id)) {
        providers.append(providers.length() == 0 ? "" : ",").append(id);
      }
      attempts += Attempt.sent(o.attempts());
      if (log != null) {
        for (Attempt a : o.attempts()) {
          append(a, log);
        }
      }
    }
    return new RoutingHeaders(providers.length() == 0 ? "riata" : providers.toString(), attempts,
        log == null || log.length() == 0 ? null : log.toString());
  }

  /** {@code provider=reason}, with {@code (hedge)} after an attempt sent while another was in flight. */
  private static void append(Attempt a, StringBuilder log) {
    if (log.length() > 0) {
      log.append(", ");
    }
    log.append(a.providerId()).append('=');
    headerSafe(a.reason(), log);
    if (a.hedge()) {
      log.append(" (hedge)");
    }
  }

  private static boolean listed(StringBuilder providers, String id) {
    int at = 0;
    while (at < providers.length()) {
      int comma = providers.indexOf(",", at);
      int end = comma < 0 ? providers.length() : comma;
      if (end - at == id.length() && providers.indexOf(id, at) == at) {
        return true;
      }
      at = end + 1;
    }
    return false;
  }

  /** Printable ASCII only, no commas (they separate attempts), at most 120 characters. */
  private static void headerSafe(String text, StringBuilder out) {
    int n = Math.min(text.length(), 120);
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      out.append(c >= 0x20 && c < 0x7f && c != ',' ? c : ' ');
    }
  }
}
