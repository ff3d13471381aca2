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
 * so selection works on real state, and the node is not leaving (503 otherwise). Both list each
 * chain's snapshot version and age, so a pool that stopped publishing shows.
 */
public final class HealthRoutes extends AllDirectives {

  private final NodeRuntime node;

  public HealthRoutes(NodeRuntime node) {
    this.node = node;
  }

  public Route route() {
    return get(() -> concat(
        path("health", () -> extractRequest(r -> complete(json(200, "{\"status\":\"ok\",\"deadLetters\":"
            + node.deadLetters() + ",\"droppedMessages\":" + node.droppedMessages() + "}")))),
        path("ready", () -> extractRequest(r -> complete(ready())))));
  }

  private HttpResponse ready() {
    StringBuilder chains = new StringBuilder();
    boolean missing = false;
    for (ChainRuntime chain : node.chains()) {
      missing |= !chain.hasPoolSnapshot();
      chains.append(chains.length() == 0 ? "" : ",")
          .append(JsonRpcCodec.quote(chain.config().name()))
          .append(":{\"snapshotVersion\":").append(chain.hasPoolSnapshot() ? chain.snapshot().version() : -1)
          .append(",\"snapshotAgeMs\":").append(chain.snapshotAgeMillis()).append('}');
    }
    String status = node.stopping() ? "stopping" : missing ? "starting" : "ready";
    return json(node.ready() ? 200 : 503, "{\"status\":\"" + status + "\",\"chains\":{" + chains + "}}");
  }

  private static HttpResponse json(int status, String body) {
    return HttpResponse.create()
        .withStatus(StatusCodes.get(status))
        .withEntity(ContentTypes.APPLICATION_JSON, body.getBytes(StandardCharsets.UTF_8));
  }
}
