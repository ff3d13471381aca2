package io.riata.http.ops;

import io.riata.http.ops.admin.AdminRoutes;
import io.riata.http.ops.admin.OperatorToken;
import io.riata.http.ops.dashboard.DashboardRoutes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Everything on the operator port, and who may reach what when a token is configured:
 * <ul>
 *   <li>{@code /health}, {@code /ready}: never a token (orchestrators' probes);</li>
 *   <li>{@code /metrics}: a token only with {@code riata.http.admin.metrics-require-token = on};</li>
 *   <li>{@code /dashboard} and its assets: never a token (they hold no data); the feed
 *       {@code /ws/dashboard} and {@code /dashboard/access} want it ({@link DashboardRoutes});</li>
 *   <li>{@code /admin/...} and anything else: the token ({@link AdminRoutes}).</li>
 * </ul>
 * The admin API comes last: it answers every path it is given, unknown ones with 401 or 404.
 */
public final class OperatorRoutes extends AllDirectives {

  private final OperatorToken token;
  private final boolean metricsRequireToken;
  private final HealthRoutes health;
  private final MetricsExporter metrics;
  private final DashboardRoutes dashboard;
  private final AdminRoutes admin;

  public OperatorRoutes(OperatorToken token, boolean metricsRequireToken, HealthRoutes health, MetricsExporter metrics,
                        DashboardRoutes dashboard, AdminRoutes admin) {
    this.token = token;
    this.metricsRequireToken = metricsRequireToken;
    this.health = health;
    this.metrics = metrics;
    this.dashboard = dashboard;
    this.admin = admin;
  }

  public Route route() {
    return concat(
        health.route(),
        metricsRequireToken ? pathPrefixTest("metrics", this::guardedMetrics) : metrics.route(),
        dashboard.route(),
        admin.route());
  }

  private Route guardedMetrics() {
    return optionalHeaderValueByName("Authorization", auth -> token.admits(auth.orElse(null))
        ? metrics.route()
        : complete(token.refusal(auth.isPresent())));
  }
}
