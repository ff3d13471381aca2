package io.riata.http.ops;

import io.riata.cluster.node.ChainRuntime;
import io.riata.cluster.node.NodeRuntime;
import io.riata.core.jsonrpc.JsonRpcCodec;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /health}: the process answers. {@code /ready}: every chain has a snapshot from its pool,
 * so selection works on real state (503 with the chains still missing otherwise).
 */
public final class HealthRoutes extends AllDirectives {

  private final NodeRuntime node;

  public HealthRoutes(NodeRuntime node) {
    this.node = node;
  }

  public Route route() {
    return get(() -> concat(
        path("health", () -> complete(json(200, "{\"status\":\"ok\"}"))),
        path("ready", () -> extractRequest(r -> complete(ready())))));
  }

  private HttpResponse ready() {
    StringBuilder waiting = new StringBuilder();
    for (ChainRuntime chain : node.chains()) {
      if (!chain.hasPoolSnapshot()) {
        waiting.append(waiting.length() == 0 ? "" : ",").append(JsonRpcCodec.quote(chain.config().name()));
      }
    }
    if (waiting.length() == 0) {
      return json(200, "{\"status\":\"ready\"}");
    }
    return json(503, "{\"status\":\"starting\",\"waitingFor\":[" + waiting + "]}");
  }

  private static HttpResponse json(int status, String body) {
    return HttpResponse.create()
        .withStatus(StatusCodes.get(status))
        .withEntity(ContentTypes.APPLICATION_JSON, body.getBytes(StandardCharsets.UTF_8));
  }
}
