package io.riata.http.ws;

import io.riata.core.jsonrpc.JsonRpcCodec;
import io.riata.core.jsonrpc.JsonRpcErrors;
import io.riata.http.rpc.JsonRpcDispatcher;
import io.riata.http.rpc.RouteResolver;
import io.riata.http.rpc.RpcTarget;
import io.riata.http.util.Stages;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;

/**
 * JSON-RPC over WebSocket: {@code /ws/rpc/{chain}} and the same strategy, provider and profile
 * variants as HTTP. Each text (or binary) message is one JSON-RPC message, answered exactly as over
 * HTTP, with the same selection and failover; answers may come back in a different order than the
 * requests (match them by id). A connection has at most {@code max-in-flight} messages being
 * answered; past that Riata stops reading from it until answers have gone out.
 */
public final class WsRoutes extends AllDirectives {

  private final RouteResolver resolver;
  private final JsonRpcDispatcher dispatcher;
  private final WsSettings settings;
  private final Materializer materializer;

  public WsRoutes(RouteResolver resolver, JsonRpcDispatcher dispatcher, WsSettings settings, Materializer materializer) {
    this.resolver = resolver;
    this.dispatcher = dispatcher;
    this.settings = settings;
    this.materializer = materializer;
  }

  public Route route() {
    return pathPrefix("ws", () -> pathPrefix("rpc", () -> extractUnmatchedPath(path -> {
      Object resolved = resolver.resolve(path);
      if (resolved instanceof RouteResolver.Rejection rejection) {
        return complete(HttpResponse.create().withStatus(StatusCodes.get(rejection.status()))
            .withEntity(ContentTypes.APPLICATION_JSON, rejection.body()));
      }
      return handleWebSocketMessages(flow((RpcTarget) resolved));
    })));
  }

  private Flow<Message, Message, NotUsed> flow(RpcTarget target) {
    return Flow.<Message>create()
        .mapAsyncUnordered(settings.maxInFlight(), message -> read(message)
            .thenCompose(body -> body.length > settings.maxMessageBytes()
                ? CompletableFuture.completedFuture(Optional.of(tooLarge()))
                : dispatcher.dispatch(target, body).thenApply(answer -> Optional.ofNullable(answer.body()))))
        .filter(Optional::isPresent)
        .map(answer -> (Message) TextMessage.create(new String(answer.get(), StandardCharsets.UTF_8)));
  }

  /**
   * The whole message as bytes. A message longer than the limit is cut at the limit plus one byte,
   * which is enough to reject it, so a huge message never sits in memory whole.
   */
  private CompletableFuture<byte[]> read(Message message) {
    Duration timeout = settings.messageReadTimeout();
    long cap = settings.maxMessageBytes() + 1;
    if (message.isText()) {
      TextMessage text = message.asTextMessage();
      if (text.isStrict()) {
        return CompletableFuture.completedFuture(text.getStrictText().getBytes(StandardCharsets.UTF_8));
      }
      return Stages.plain(text.getStreamedText()
              .map(part -> ByteString.fromString(part, StandardCharsets.UTF_8))
              .takeWithin(timeout)
              .limitWeighted(cap, bytes -> (long) bytes.size())
              .recover(org.apache.pekko.stream.StreamLimitReachedException.class, () -> ByteString.fromArray(new byte[(int) cap]))
              .runWith(Sink.fold(ByteString.emptyByteString(), (ByteString acc, ByteString part) -> acc.concat(part)), materializer))
          .thenApply(ByteString::toArray);
    }
    var binary = message.asBinaryMessage();
    if (binary.isStrict()) {
      return CompletableFuture.completedFuture(binary.getStrictData().toArray());
    }
    return Stages.plain(binary.getStreamedData()
            .takeWithin(timeout)
            .limitWeighted(cap, bytes -> (long) bytes.size())
            .recover(org.apache.pekko.stream.StreamLimitReachedException.class, () -> ByteString.fromArray(new byte[(int) cap]))
            .runWith(Sink.fold(ByteString.emptyByteString(), (ByteString acc, ByteString part) -> acc.concat(part)), materializer))
        .thenApply(ByteString::toArray);
  }

  private byte[] tooLarge() {
    return JsonRpcCodec.errorResponse("null", JsonRpcErrors.INVALID_REQUEST,
        "message exceeds the limit of " + settings.maxMessageBytes() + " bytes", null);
  }
}
