package io.riata.http.ws;

import io.riata.core.jsonrpc.JsonRpcCodec;
import io.riata.core.jsonrpc.JsonRpcErrors;
import io.riata.http.data.EngineGateway;
import io.riata.http.rpc.RouteResolver;
import io.riata.http.rpc.RpcTarget;
import io.riata.http.util.Stages;
import io.riata.core.jsonrpc.LogFilter;
import io.riata.http.subs.Subscriptions;
import io.riata.core.jsonrpc.JsonRpcRequest;
import io.riata.core.jsonrpc.Parsed;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Source;
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

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(WsRoutes.class);

  private final RouteResolver resolver;
  private final EngineGateway dispatcher;
  private final Subscriptions subscriptions;
  private final WsSettings settings;
  private final Materializer materializer;
  private final ClosingWebSocket closing;

  public WsRoutes(RouteResolver resolver, EngineGateway dispatcher, Subscriptions subscriptions,
                  WsSettings settings, Materializer materializer) {
    this.resolver = resolver;
    this.dispatcher = dispatcher;
    this.subscriptions = subscriptions;
    this.settings = settings;
    this.materializer = materializer;
    this.closing = new ClosingWebSocket(materializer);
  }

  public Route route() {
    return pathPrefix("ws", () -> pathPrefix("rpc", () -> extractUnmatchedPath(path -> {
      Object resolved = resolver.resolve(path);
      if (resolved instanceof RouteResolver.Rejection rejection) {
        return complete(HttpResponse.create().withStatus(StatusCodes.get(rejection.status()))
            .withEntity(ContentTypes.APPLICATION_JSON, rejection.body()));
      }
      return extractWebSocketUpgrade(upgrade -> {
        CompletableFuture<ClosingWebSocket.Close> close = new CompletableFuture<>();
        // Notifications of this connection's subscriptions, sent beside the answers. Bounded: a
        // client that does not read fills it, and is then disconnected instead of growing it.
        Pair<BoundedSourceQueue<ByteString>, Source<ByteString, NotUsed>> pushed =
            Source.<ByteString>queue(settings.sendBuffer()).preMaterialize(materializer);
        ConnectionSubscriptions subs =
            new ConnectionSubscriptions(pushed.first(), (RpcTarget) resolved, close);
        return complete(closing.handle(upgrade, flow((RpcTarget) resolved, subs, close), pushed.second(), close,
            settings.idleTimeout()));
      });
    })));
  }

  private Flow<Message, Message, NotUsed> flow(RpcTarget target, ConnectionSubscriptions subs,
                                               CompletableFuture<ClosingWebSocket.Close> close) {
    return Flow.<Message>create()
        .mapAsyncUnordered(settings.maxInFlight(), message -> read(message)
            .thenCompose(body -> {
              if (body.length > settings.maxMessageBytes()) {
                close.complete(new ClosingWebSocket.Close(1009, "message over " + settings.maxMessageBytes() + " bytes"));
                return CompletableFuture.completedFuture(Optional.<byte[]>empty());
              }
              return answer(target, subs, body);
            }))
        .filter(Optional::isPresent)
        .map(answer -> (Message) TextMessage.create(new String(answer.get(), StandardCharsets.UTF_8)))
        .watchTermination((notUsed, done) -> {
          done.whenComplete((ok, failure) -> subs.closeAll());
          return notUsed;
        });
  }

  private CompletableFuture<Optional<byte[]>> answer(RpcTarget target, ConnectionSubscriptions subs, byte[] body) {
    if (mentions(body, SUBSCRIBE_BYTES) || mentions(body, UNSUBSCRIBE_BYTES)) {
      Parsed parsed = JsonRpcCodec.parse(body);
      if (parsed instanceof Parsed.Single single && single.item() instanceof Parsed.Request r) {
        JsonRpcRequest request = r.request();
        if (request.method().equals("eth_subscribe")) {
          return CompletableFuture.completedFuture(Optional.of(subs.subscribe(request)));
        }
        if (request.method().equals("eth_unsubscribe")) {
          return CompletableFuture.completedFuture(Optional.of(subs.unsubscribe(request)));
        }
      }
    }
    return dispatcher.dispatch(target.chain(), target.strategy(), target.allowed(), body)
        .thenApply(answer -> Optional.ofNullable(answer.body()));
  }

  private static final byte[] SUBSCRIBE_BYTES = "eth_subscribe".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] UNSUBSCRIBE_BYTES = "eth_unsubscribe".getBytes(StandardCharsets.US_ASCII);

  /** A cheap look before parsing twice: most messages are not about subscriptions. */
  private static boolean mentions(byte[] body, byte[] word) {
    outer:
    for (int i = 0; i <= body.length - word.length; i++) {
      for (int j = 0; j < word.length; j++) {
        if (body[i + j] != word[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  /** The subscriptions of one client connection. */
  private final class ConnectionSubscriptions {
    private final BoundedSourceQueue<ByteString> queue;
    private final String chain;
    private final CompletableFuture<ClosingWebSocket.Close> close;
    private final boolean wsCapable;
    private final Set<String> ids = ConcurrentHashMap.newKeySet();

    ConnectionSubscriptions(BoundedSourceQueue<ByteString> queue, RpcTarget target,
                            CompletableFuture<ClosingWebSocket.Close> close) {
      this.queue = queue;
      this.chain = target.chain().config().name();
      this.wsCapable = target.chain().config().providers().stream().anyMatch(p -> p.wsUrl() != null);
      this.close = close;
    }

    byte[] subscribe(JsonRpcRequest request) {
      String id = request.idJson() == null ? "null" : request.idJson();
      JsonNode params;
      try {
        params = request.params() == null ? null : MAPPER.readTree(request.params());
      } catch (java.io.IOException e) {
        params = null;
      }
      String kind = params != null && params.isArray() && params.size() > 0 ? params.get(0).asText() : "";
      LogFilter filter = null;
      switch (kind) {
        case "newHeads" -> { }
        case "logs" -> {
          try {
            filter = LogFilter.parse(params.size() > 1 ? params.get(1) : null);
          } catch (LogFilter.InvalidFilter e) {
            return JsonRpcCodec.errorResponse(id, JsonRpcErrors.INVALID_PARAMS, e.getMessage(), null);
          }
        }
        default -> {
          String message = kind.equals("newPendingTransactions") || kind.equals("syncing")
              ? "Riata does not serve " + kind + " subscriptions; it serves newHeads and logs"
              : "unknown subscription kind \"" + kind + "\"; Riata serves newHeads and logs";
          return JsonRpcCodec.errorResponse(id, JsonRpcErrors.INVALID_PARAMS, message, null);
        }
      }
      if (!wsCapable) {
        return JsonRpcCodec.errorResponse(id, JsonRpcErrors.NO_PROVIDER_AVAILABLE, "no provider of chain " + chain
            + " has a ws_url; subscriptions need a provider that speaks WebSocket", null);
      }
      if (ids.size() >= settings.maxSubscriptions()) {
        return JsonRpcCodec.errorResponse(id, JsonRpcErrors.INVALID_REQUEST,
            "this connection has the most subscriptions allowed (" + settings.maxSubscriptions() + ")", null);
      }
      String subscription = Subscriptions.newId();
      ids.add(subscription);
      if (filter == null) {
        subscriptions.subscribeHeads(chain, subscription, this::push);
      } else {
        subscriptions.subscribeLogs(chain, filter, subscription, this::push);
      }
      return JsonRpcCodec.resultResponse(id, JsonRpcCodec.quote(subscription));
    }

    byte[] unsubscribe(JsonRpcRequest request) {
      String id = request.idJson() == null ? "null" : request.idJson();
      String subscription = "";
      try {
        JsonNode params = request.params() == null ? null : MAPPER.readTree(request.params());
        subscription = params != null && params.isArray() && params.size() > 0 ? params.get(0).asText() : "";
      } catch (java.io.IOException e) {
        // answered false below
      }
      boolean removed = ids.remove(subscription);
      if (removed) {
        subscriptions.unsubscribe(chain, subscription);
      }
      return JsonRpcCodec.resultResponse(id, Boolean.toString(removed));
    }

    /** Called by the feed; {@code false} tells it to forget the subscription. */
    private boolean push(ByteString notification) {
      QueueOfferResult result = queue.offer(notification);
      if (result == QueueOfferResult.enqueued()) {
        return true;
      }
      if (result == QueueOfferResult.dropped()) {
        LOG.info("closing a WebSocket client on chain {}: {} notifications unsent", chain, settings.sendBuffer());
        close.complete(new ClosingWebSocket.Close(1008, "too slow: " + settings.sendBuffer() + " notifications unsent"));
      }
      return false;
    }

    void closeAll() {
      for (String subscription : ids) {
        subscriptions.unsubscribe(chain, subscription);
      }
      ids.clear();
    }
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

}
