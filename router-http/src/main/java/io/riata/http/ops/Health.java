package io.riata.http.ops;

import io.riata.cluster.node.ChainRuntime;
import io.riata.cluster.node.NodeRuntime;
import io.riata.core.jsonrpc.JsonRpcCodec;
import java.nio.charset.StandardCharsets;

/**
 * What {@code /health} and {@code /ready} answer, on the RPC port and the operator port alike.
 * {@code /health}: the process answers. {@code /ready}: every chain has a snapshot from its pool,
 * so selection works on real state, and the node is not leaving (503 otherwise). Both list each
 * chain's snapshot version and age, so a pool that stopped publishing shows, how old the heads the
 * node routes by are, and for how long the node has been probing heads itself in the pool's place.
 */
public final class Health {

  /** An answer: HTTP status and a JSON body. */
  public record Report(int status, byte[] json) {}

  private final NodeRuntime node;

  public Health(NodeRuntime node) {
    this.node = node;
  }

  public Report health() {
    return new Report(200, ("{\"status\":\"ok\",\"deadLetters\":" + node.deadLetters() + ",\"droppedMessages\":"
        + node.droppedMessages() + "}").getBytes(StandardCharsets.UTF_8));
  }

  public Report ready() {
    StringBuilder chains = new StringBuilder();
    boolean missing = false;
    for (ChainRuntime chain : node.chains()) {
      missing |= !chain.hasPoolSnapshot();
      chains.append(chains.length() == 0 ? "" : ",")
          .append(JsonRpcCodec.quote(chain.config().name()))
          .append(":{\"snapshotVersion\":").append(chain.hasPoolSnapshot() ? chain.snapshot().version() : -1)
          .append(",\"snapshotAgeMs\":").append(chain.snapshotAgeMillis())
          .append(",\"headsAgeMs\":").append(chain.headsAgeMillis())
          .append(",\"standInMs\":").append(chain.standInMillis()).append('}');
    }
    String status = node.stopping() ? "stopping" : missing ? "starting" : "ready";
    return new Report(node.ready() ? 200 : 503,
        ("{\"status\":\"" + status + "\",\"chains\":{" + chains + "}}").getBytes(StandardCharsets.UTF_8));
  }
}
