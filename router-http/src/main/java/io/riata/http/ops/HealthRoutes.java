package io.riata.http.ops;

import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code /health} and {@code /ready} on the operator port ({@link Health} says what they answer). */
public final class HealthRoutes extends AllDirectives {

  private final Health health;

  public HealthRoutes(Health health) {
    this.health = health;
  }

  public Route route() {
    return get(() -> concat(
        path("health", () -> extractRequest(r -> complete(response(health.health())))),
        path("ready", () -> extractRequest(r -> complete(response(health.ready()))))));
  }

  private static HttpResponse response(Health.Report report) {
    return HttpResponse.create()
        .withStatus(StatusCodes.get(report.status()))
        .withEntity(ContentTypes.APPLICATION_JSON, report.json());
  }
}
