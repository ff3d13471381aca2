package io.riata.http.ops.admin;

import com.typesafe.config.Config;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * {@code riata.http.admin} from reference.conf / application.conf, read once at start: the operator
 * port (admin API, dashboard and its feed, metrics, health).
 *
 * @param enabled             whether the operator port is bound at all
 * @param token               the bearer token, or empty when none is configured (then the operator
 *                            port listens on loopback only, whatever {@code host} says)
 * @param metricsRequireToken whether {@code /metrics} on the operator port wants the token too
 * @param timingSampleEvery   time one request in this many for {@code /admin/diagnostics/latency}
 */
public record AdminSettings(boolean enabled, String host, int port, String token, boolean metricsRequireToken,
                            Duration askTimeout, int timingSampleEvery) {

  public static final String LOOPBACK = "127.0.0.1";

  public static AdminSettings from(Config root) {
    Config c = root.getConfig("riata.http.admin");
    return new AdminSettings(
        c.getBoolean("enabled"),
        c.getString("host"),
        c.getInt("port"),
        c.getString("token").strip(),
        c.getBoolean("metrics-require-token"),
        c.getDuration("ask-timeout"),
        sampleEvery(c.getInt("diagnostics.timing-sample-every")));
  }

  private static int sampleEvery(int n) {
    if (n < 1 || n > 1000) {
      throw new IllegalArgumentException("riata.http.admin.diagnostics.timing-sample-every must be 1 .. 1000, got " + n);
    }
    return n;
  }

  public boolean hasToken() {
    return !token.isEmpty();
  }

  /** Where to bind: the configured host with a token, loopback without one. */
  public String bindHost() {
    return hasToken() ? host : LOOPBACK;
  }

  byte[] tokenBytes() {
    return token.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "AdminSettings[enabled=" + enabled + ", host=" + host + ", port=" + port
        + ", token=" + (hasToken() ? "(set)" : "(none)") + ", metricsRequireToken=" + metricsRequireToken
        + ", askTimeout=" + askTimeout + ", timingSampleEvery=" + timingSampleEvery + "]";
  }
}
