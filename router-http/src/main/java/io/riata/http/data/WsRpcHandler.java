package io.riata.http.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.riata.core.engine.Answer;
import io.riata.core.engine.Payloads;
import io.riata.core.jsonrpc.JsonRpcCodec;
import io.riata.core.jsonrpc.JsonRpcErrors;
import io.riata.core.jsonrpc.JsonRpcRequest;
import io.riata.core.jsonrpc.LogFilter;
import io.riata.core.jsonrpc.Parsed;
import io.riata.http.data.upstream.LoopTransport;
import io.riata.http.data.RpcTarget;
import io.riata.http.data.subs.ClientSink;
import io.riata.http.data.subs.Subscriptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client WebSocket of the RPC port. Each text (or binary) message is one JSON-RPC message,
 * answered through the same dispatcher as HTTP, at most {@code max-in-flight} at once (past that,
 * reading pauses until answers have gone out); answers may come back in any order. Subscription
 * notifications are written beside the answers, at most {@code send-buffer} unsent before the
 * connection is closed with 1008. The connection is pinged after {@code ping-interval} of silence
 * and closed with 1001 after {@code idle-timeout}; a message over the size limit closes it with
 * 1009.
 */
final class WsRpcHandler extends ChannelInboundHandlerAdapter implements Payloads<ByteBuf>, ClientSink {

  private static final Logger LOG = LoggerFactory.getLogger(WsRpcHandler.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final byte[] SUBSCRIBE = "eth_subscribe".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] UNSUBSCRIBE = "eth_unsubscribe".getBytes(StandardCharsets.US_ASCII);
  /** What {@link #subscriptionCall} returns for a call answered later, by {@link #logsAnswered}. */
  private static final byte[] LATER = new byte[0];

  private final RpcPlane plane;
  private final RpcTarget target;
  private final WebSocketServerHandshaker handshaker;
  /** Counted in {@code plane.wsConnections} (until the handler leaves the pipeline). */
  private boolean counted;
  private final String chain;
  private final boolean wsCapable;
  private final long maxMessage;
  /** This connection's subscription ids; touched by the event loop and, on close, by nobody else. */
  private final Set<String> subscriptions = ConcurrentHashMap.newKeySet();
  /** Notifications written to the channel and not yet sent; on the event loop only. */
  private int unsent;
  private final ChannelFutureListener sent = f -> unsent--;
  private ChannelHandlerContext ctx;
  private Channel channel;
  private LoopTransport transport;
  private CompositeByteBuf assembling;
  private long assemblingSinceNanos;
  private long lastHeardNanos;
  private long lastPingNanos;
  private int inFlight;
  /**
   * Messages read while {@code max-in-flight} were being answered: reading pauses then, but what
   * the socket had delivered already is still decoded and waits here.
   */
  private final ArrayDeque<ByteBuf> held = new ArrayDeque<>();
  private volatile boolean closing;
  private Future<?> ticker;
  private ByteBuf slicing;

  WsRpcHandler(RpcPlane plane, RpcTarget target, WebSocketServerHandshaker handshaker) {
    this.plane = plane;
    this.target = target;
    this.handshaker = handshaker;
    this.chain = target.chain().config().name();
    this.wsCapable = target.chain().config().providers().stream().anyMatch(p -> p.wsUrl() != null);
    this.maxMessage = plane.websocket.maxMessageBytes();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.channel = ctx.channel();
    this.transport = plane.transport(channel.eventLoop());
    this.lastHeardNanos = System.nanoTime();
    long tick = Math.max(250, Math.min(plane.websocket.pingInterval().toMillis(), plane.websocket.idleTimeout().toMillis()) / 4);
    ticker = ctx.executor().scheduleAtFixedRate(this::tick, tick, tick, TimeUnit.MILLISECONDS);
    counted = true;
    int open = plane.wsConnections.incrementAndGet();
    if (open > plane.websocket.maxConnections()) {
      plane.wsRefused.increment();
      closeWith(1013, "this node has its maximum of " + plane.websocket.maxConnections()
          + " WebSocket connections; try again later");
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (counted) {
      counted = false;
      plane.wsConnections.decrementAndGet();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    lastHeardNanos = System.nanoTime();
    if (!(msg instanceof WebSocketFrame frame)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    try {
      if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) {
        if (assembling != null) {
          closeWith(1002, "a new message began before the last one ended");
        } else if (frame.isFinalFragment()) {
          accept(frame.content().retain());
        } else {
          assembling = ctx.alloc().compositeBuffer();
          assemblingSinceNanos = lastHeardNanos;
          append(frame.content());
        }
      } else if (frame instanceof ContinuationWebSocketFrame) {
        if (assembling == null) {
          closeWith(1002, "a continuation frame without a message");
        } else if (append(frame.content()) && frame.isFinalFragment()) {
          CompositeByteBuf whole = assembling;
          assembling = null;
          accept(whole);
        }
      } else if (frame instanceof PingWebSocketFrame) {
        ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
      } else if (frame instanceof CloseWebSocketFrame) {
        closing = true;
        handshaker.close(channel, (CloseWebSocketFrame) frame.retain());
      }
      // pongs only prove the client is there (lastHeardNanos)
    } finally {
      frame.release();
    }
  }

  /** Adds a fragment; {@code false} when the message has grown past the limit (and the connection is closing). */
  private boolean append(ByteBuf fragment) {
    if (assembling.readableBytes() + (long) fragment.readableBytes() > maxMessage) {
      assembling.release();
      assembling = null;
      closeWith(1009, "message over " + maxMessage + " bytes");
      return false;
    }
    assembling.addComponent(true, fragment.retain());
    return true;
  }

  /** A whole message (ours to release): answered now, or held while too many are in flight. */
  private void accept(ByteBuf message) {
    if (inFlight >= plane.websocket.maxInFlight() || !held.isEmpty()) {
      held.add(message);
      channel.config().setAutoRead(false);
      return;
    }
    try {
      message(message);
    } finally {
      message.release();
    }
  }

  private void message(ByteBuf message) {
    if (closing) {
      return;
    }
    int n = message.readableBytes();
    byte[] body = plane.scratch(n);
    message.getBytes(message.readerIndex(), body, 0, n);
    if (mentions(body, n, SUBSCRIBE) || mentions(body, n, UNSUBSCRIBE)) {
      byte[] answer = subscriptionCall(body, n);
      if (answer != null) {
        if (answer != LATER) {
          send(Unpooled.wrappedBuffer(answer));
        }
        return;
      }
    }
    inFlight++;
    slicing = message;
    try {
      plane.dispatcher.dispatch(target.chain(), target.strategy(), target.allowed(), body, n, this, transport,
          this::answered);
    } finally {
      slicing = null;
    }
  }

  @Override
  public ByteBuf slice(int offset, int length) {
    return slicing.retainedSlice(slicing.readerIndex() + offset, length);
  }

  @Override
  public void release(ByteBuf payload) {
    payload.release();
  }

  private void answered(Answer<ByteBuf> answer) {
    inFlight--;
    if (!answer.empty()) {
      send(Responses.body(ctx.alloc(), answer));
    }
    if (!held.isEmpty() && inFlight < plane.websocket.maxInFlight()) {
      // Later, not from inside this answer: the dispatcher may still be on the stack.
      ctx.executor().execute(this::release);
    }
  }

  /** Answers held messages while there is room, and reads again once none is held. */
  private void release() {
    ByteBuf next;
    while (inFlight < plane.websocket.maxInFlight() && (next = held.poll()) != null) {
      try {
        message(next);
      } finally {
        next.release();
      }
    }
    if (held.isEmpty() && !closing) {
      channel.config().setAutoRead(true);
    }
  }

  private void send(ByteBuf text) {
    if (closing || !channel.isActive()) {
      text.release();
      return;
    }
    ctx.writeAndFlush(new TextWebSocketFrame(text));
  }

  @Override
  public EventLoop loop() {
    return channel.eventLoop();
  }

  /**
   * A notification from a feed, on this connection's loop. The connection is closed with 1008
   * once {@code send-buffer} notifications are waiting in it unsent: the client does not read.
   */
  @Override
  public void deliver(ByteBuf notification) {
    if (closing || !channel.isActive()) {
      notification.release();
      return;
    }
    if (unsent >= plane.websocket.sendBuffer()) {
      notification.release();
      LOG.info("closing a WebSocket client on chain {}: {} notifications unsent", chain, plane.websocket.sendBuffer());
      closeWith(1008, "too slow: " + plane.websocket.sendBuffer() + " notifications unsent");
      return;
    }
    unsent++;
    ctx.write(new TextWebSocketFrame(notification)).addListener(sent);
  }

  @Override
  public void flush() {
    if (!closing) {
      ctx.flush();
    }
  }

  @Override
  public boolean open() {
    return !closing && channel.isActive();
  }

  /** Pings a quiet client, closes one that stayed silent too long, and one whose message never ended. */
  private void tick() {
    long now = System.nanoTime();
    long silent = now - lastHeardNanos;
    if (silent >= plane.websocket.idleTimeout().toNanos()) {
      closeWith(1001, "idle for " + plane.websocket.idleTimeout().toSeconds() + " s");
    } else if (assembling != null && now - assemblingSinceNanos >= plane.websocket.messageReadTimeout().toNanos()) {
      closeWith(1008, "a message did not arrive in full within " + plane.websocket.messageReadTimeout().toMillis() + " ms");
    } else if (silent >= plane.websocket.pingInterval().toNanos()
        && now - lastPingNanos >= plane.websocket.pingInterval().toNanos()) {
      lastPingNanos = now;
      ctx.writeAndFlush(new PingWebSocketFrame(Unpooled.EMPTY_BUFFER));
    }
  }

  private void closeWith(int code, String reason) {
    if (closing) {
      return;
    }
    closing = true;
    ctx.writeAndFlush(new CloseWebSocketFrame(code, reason)).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closing = true;
    if (ticker != null) {
      ticker.cancel(false);
    }
    if (assembling != null) {
      assembling.release();
      assembling = null;
    }
    ByteBuf h;
    while ((h = held.poll()) != null) {
      h.release();
    }
    for (String id : subscriptions) {
      plane.subscriptions.unsubscribe(chain, id);
    }
    subscriptions.clear();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof CorruptedWebSocketFrameException) {
      closing = true; // the frame decoder has sent the close frame (1009 for a frame over the size limit)
    } else if (!(cause instanceof IOException)) {
      LOG.warn("closing a WebSocket client on chain {} after an error", chain, cause);
      closeWith(1011, "internal error");
    } else {
      ctx.close();
    }
  }

  /** The answer to an {@code eth_subscribe} or {@code eth_unsubscribe}, or {@code null} when the message is neither. */
  private byte[] subscriptionCall(byte[] body, int n) {
    Parsed parsed = JsonRpcCodec.parse(body, n);
    if (!(parsed instanceof Parsed.Single single) || !(single.item() instanceof Parsed.Request r)) {
      return null;
    }
    JsonRpcRequest request = r.request();
    if (request.method().equals("eth_subscribe")) {
      return subscribe(request);
    }
    if (request.method().equals("eth_unsubscribe")) {
      return unsubscribe(request);
    }
    return null;
  }

  private byte[] subscribe(JsonRpcRequest request) {
    String id = request.idJson() == null ? "null" : request.idJson();
    JsonNode params = params(request);
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
    if (subscriptions.size() >= plane.websocket.maxSubscriptions()) {
      return JsonRpcCodec.errorResponse(id, JsonRpcErrors.INVALID_REQUEST,
          "this connection has the most subscriptions allowed (" + plane.websocket.maxSubscriptions() + ")", null);
    }
    String subscription = Subscriptions.newId();
    subscriptions.add(subscription);
    if (filter != null) {
      // The chain's logs feeds decide whether a new filter may have one; the answer comes from them.
      EventLoop loop = channel.eventLoop();
      plane.subscriptions.subscribeLogs(chain, filter, subscription, this, taken -> {
        try {
          loop.execute(() -> logsAnswered(id, subscription, taken));
        } catch (RejectedExecutionException stopping) {
          // the data plane is shutting down: nobody left to answer
        }
      });
      return LATER;
    }
    plane.subscriptions.subscribeHeads(chain, subscription, this);
    return JsonRpcCodec.resultResponse(id, JsonRpcCodec.quote(subscription));
  }

  /** The logs feeds' decision on a logs subscription, on this connection's loop. */
  private void logsAnswered(String id, String subscription, boolean taken) {
    if (taken) {
      send(Unpooled.wrappedBuffer(JsonRpcCodec.resultResponse(id, JsonRpcCodec.quote(subscription))));
      return;
    }
    subscriptions.remove(subscription);
    int max = plane.websocket.maxUpstreamSocketsPerChain();
    send(Unpooled.wrappedBuffer(JsonRpcCodec.errorResponse(id, JsonRpcErrors.SUBSCRIPTION_FEEDS_FULL,
        "this node has its maximum of " + max + " distinct logs filters on chain " + chain
            + " (riata.http.websocket.max-upstream-sockets-per-chain); subscribe with a filter already in use,"
            + " or try again later", "{\"limit\":" + max + "}")));
  }

  private byte[] unsubscribe(JsonRpcRequest request) {
    String id = request.idJson() == null ? "null" : request.idJson();
    JsonNode params = params(request);
    String subscription = params != null && params.isArray() && params.size() > 0 ? params.get(0).asText() : "";
    boolean removed = subscriptions.remove(subscription);
    if (removed) {
      plane.subscriptions.unsubscribe(chain, subscription);
    }
    return JsonRpcCodec.resultResponse(id, Boolean.toString(removed));
  }

  private static JsonNode params(JsonRpcRequest request) {
    try {
      return request.params() == null ? null : MAPPER.readTree(request.params());
    } catch (IOException e) {
      return null;
    }
  }

  /** A cheap look before parsing twice: most messages are not about subscriptions. */
  private static boolean mentions(byte[] body, int n, byte[] word) {
    outer:
    for (int i = 0; i <= n - word.length; i++) {
      for (int j = 0; j < word.length; j++) {
        if (body[i + j] != word[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
