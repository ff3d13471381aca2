package io.riata.http.rpc;

import io.riata.core.jsonrpc.JsonRpcCodec;
import io.riata.core.jsonrpc.JsonRpcErrors;
import io.riata.core.jsonrpc.Parsed;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One JSON-RPC message (single request or batch) in, its answer out, whatever the transport:
 * malformed and invalid requests are answered here, valid ones go through failover.
 */
public final class JsonRpcDispatcher {

  /**
   * The answer to a message.
   *
   * @param body     the bytes to send back, or {@code null} when nothing is due (notifications only)
   * @param outcomes how each forwarded request went, for the routing headers
   * @param single   the message was a single request (not a batch)
   */
  public record Answer(byte[] body, List<FailoverExecutor.Outcome> outcomes, boolean single) {}

  private final FailoverExecutor executor;
  private final int maxBatchLength;

  public JsonRpcDispatcher(FailoverExecutor executor, int maxBatchLength) {
    this.executor = executor;
    this.maxBatchLength = maxBatchLength;
  }

  public CompletableFuture<Answer> dispatch(RpcTarget target, byte[] body) {
    Parsed parsed = JsonRpcCodec.parse(body);
    if (parsed instanceof Parsed.ParseError error) {
      return fixed(JsonRpcCodec.errorResponse("null", JsonRpcErrors.PARSE_ERROR, "parse error: " + error.message(), null));
    }
    if (parsed instanceof Parsed.EmptyBatch) {
      return fixed(JsonRpcCodec.errorResponse("null", JsonRpcErrors.INVALID_REQUEST, "invalid request: empty batch", null));
    }
    if (parsed instanceof Parsed.Single single) {
      if (single.item() instanceof Parsed.Invalid invalid) {
        return fixed(invalidItem(invalid));
      }
      var request = ((Parsed.Request) single.item()).request();
      CompletableFuture<FailoverExecutor.Outcome> outcome =
          executor.execute(target.chain(), target.strategy(), target.allowed(), request);
      if (request.isNotification()) {
        return CompletableFuture.completedFuture(new Answer(null, List.of(), true));
      }
      return outcome.thenApply(o -> new Answer(o.body(), List.of(o), true));
    }
    List<Parsed.Item> items = ((Parsed.Batch) parsed).items();
    if (items.size() > maxBatchLength) {
      return fixed(JsonRpcCodec.errorResponse("null", JsonRpcErrors.INVALID_REQUEST,
          "batch of " + items.size() + " requests exceeds the limit of " + maxBatchLength, null));
    }
    return batch(target, items);
  }

  private CompletableFuture<Answer> batch(RpcTarget target, List<Parsed.Item> items) {
    List<CompletableFuture<FailoverExecutor.Outcome>> answered = new ArrayList<>(items.size());
    List<byte[]> fixed = new ArrayList<>(items.size());
    for (Parsed.Item item : items) {
      if (item instanceof Parsed.Invalid invalid) {
        answered.add(null);
        fixed.add(invalidItem(invalid));
        continue;
      }
      var request = ((Parsed.Request) item).request();
      CompletableFuture<FailoverExecutor.Outcome> outcome =
          executor.execute(target.chain(), target.strategy(), target.allowed(), request);
      answered.add(request.isNotification() ? null : outcome);
      fixed.add(null);
    }
    CompletableFuture<?>[] pending = answered.stream().filter(f -> f != null).toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(pending).thenApply(ignored -> {
      List<byte[]> replies = new ArrayList<>(items.size());
      List<FailoverExecutor.Outcome> outcomes = new ArrayList<>(pending.length);
      for (int i = 0; i < items.size(); i++) {
        if (fixed.get(i) != null) {
          replies.add(fixed.get(i));
        } else if (answered.get(i) != null) {
          FailoverExecutor.Outcome o = answered.get(i).join();
          outcomes.add(o);
          replies.add(o.body());
        }
      }
      return new Answer(replies.isEmpty() ? null : JsonRpcCodec.batchResponse(replies), outcomes, false);
    });
  }

  private static CompletableFuture<Answer> fixed(byte[] body) {
    return CompletableFuture.completedFuture(new Answer(body, List.of(), true));
  }

  private static byte[] invalidItem(Parsed.Invalid invalid) {
    return JsonRpcCodec.errorResponse(invalid.idJson(), JsonRpcErrors.INVALID_REQUEST,
        "invalid request: " + invalid.message(), null);
  }
}
