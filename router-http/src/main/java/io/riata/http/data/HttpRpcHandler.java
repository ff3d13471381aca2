package io.riata.http.data;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.riata.core.engine.Answer;
import io.riata.core.engine.Attempt;
import io.riata.core.engine.Outcome;
import io.riata.core.engine.Payloads;
import io.riata.core.jsonrpc.JsonRpcCodec;
import io.riata.core.jsonrpc.JsonRpcErrors;
import io.riata.http.data.upstream.LoopTransport;
import io.riata.http.data.upstream.PassThrough;
import io.riata.http.ops.Health;
import java.util.ArrayDeque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection of the RPC port, over HTTP/1.1: collects each request's body (up to the
 * limit: 413 from {@code Content-Length} before the body is read, or as soon as a chunked body
 * outgrows it), routes it, answers what is malformed or unknown itself, and hands JSON-RPC to the
 * dispatcher with the connection's own event loop transport, so every attempt of the request runs
 * on this connection's thread. The request's bytes go upstream as slices of the buffer they
 * arrived in; a provider's reply comes back as the buffer it arrived in. Requests of one
 * connection are answered in order (a pipelining client waits for the earlier answers); CORS and
 * gzip are applied to each answer here; {@code /ws/rpc/...} upgrades are handed to
 * {@link WsUpgrade}. A large reply to a single request is passed through ({@link PassThrough}):
 * written as it arrives, with reading from the provider paused while this client is not writable.
 */
final class HttpRpcHandler extends ChannelInboundHandlerAdapter implements Payloads<ByteBuf> {

  private static final Logger LOG = LoggerFactory.getLogger(HttpRpcHandler.class);
  private static final AsciiString PROVIDER = AsciiString.cached(RoutingHeaders.PROVIDER);
  private static final AsciiString ATTEMPTS = AsciiString.cached(RoutingHeaders.ATTEMPTS);
  private static final AsciiString ATTEMPT_LOG = AsciiString.cached(RoutingHeaders.ATTEMPT_LOG);
  private static final AsciiString RIATA = AsciiString.cached("riata");
  private static final AsciiString ONE = AsciiString.cached("1");
  /** Pipelined requests held while an earlier one is answered; past this, reading pauses. */
  private static final int MAX_WAITING = 16;

  /** A whole request: its head, its body (ours to release), and what its answer depends on. */
  private record Incoming(HttpRequest head, ByteBuf body, boolean keepAlive, String origin, boolean gzip) {}

  private final RpcPlane plane;
  private final int maxBody;
  private final ArrayDeque<Incoming> waiting = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private LoopTransport transport;
  /** This connection's event loop's lag and admission on it. */
  private LoopLag lag;
  /** The request whose body is arriving, and its body so far. */
  private HttpRequest receiving;
  private ByteBuf received;
  /** A refusal that ends the connection is under way: what still arrives is dropped. */
  private boolean refusing;
  private boolean busy;
  /** The request being answered. */
  private Incoming current;
  /** The body being dispatched, which {@link #slice} cuts requests from. */
  private ByteBuf slicing;
  /** The provider's reply being passed through to this client, or {@code null}. */
  private PassThrough passing;
  private boolean passingKeepsAlive;
  private final PassThrough.Sink sink = new PassThrough.Sink() {
    @Override
    public void part(ByteBuf data, boolean last) {
      passed(data, last);
    }

    @Override
    public void broken() {
      brokenOff();
    }
  };

  HttpRpcHandler(RpcPlane plane) {
    this.plane = plane;
    this.maxBody = (int) Math.min(Integer.MAX_VALUE, plane.settings.maxBodyBytes());
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.transport = plane.transport(ctx.channel().eventLoop());
    this.lag = plane.lag(ctx.channel().eventLoop());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refusing) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest head) {
      if (!begin(head)) {
        ReferenceCountUtil.release(msg);
        return;
      }
    }
    if (msg instanceof HttpContent part) {
      try {
        take(part);
      } finally {
        part.release();
      }
    } else if (!(msg instanceof HttpRequest)) {
      ReferenceCountUtil.release(msg);
    }
  }

  /** A request's head: refused at once if malformed or declaring a body over the limit. */
  private boolean begin(HttpRequest head) {
    HttpVersion version = head.protocolVersion();
    if (head.decoderResult().isFailure()) {
      Throwable cause = head.decoderResult().cause();
      if (cause instanceof TooLongHttpHeaderException) {
        refuse(Responses.invalidRequest(version, HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
            "request headers exceed the limit of " + plane.settings.maxHeaderBytes() + " bytes"));
      } else if (cause instanceof TooLongHttpLineException) {
        refuse(Responses.invalidRequest(version, HttpResponseStatus.REQUEST_URI_TOO_LONG,
            "request line exceeds the limit of " + plane.settings.maxHeaderBytes() + " bytes"));
      } else {
        refuse(Responses.invalidRequest(version, HttpResponseStatus.BAD_REQUEST, "malformed HTTP request"));
      }
      return false;
    }
    if (HttpUtil.getContentLength(head, -1L) > maxBody) {
      refuse(Responses.invalidRequest(version, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
          "request body exceeds the limit of " + maxBody + " bytes"));
      return false;
    }
    if (HttpUtil.is100ContinueExpected(head)) {
      ctx.writeAndFlush(new DefaultFullHttpResponse(version, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
    }
    receiving = head;
    received = null;
    return true;
  }

  /** A part of the body (the whole of it, usually): kept without copying until the last part. */
  private void take(HttpContent part) {
    if (receiving == null) {
      return; // content without a head: what followed a refusal
    }
    ByteBuf bytes = part.content();
    if (bytes.isReadable()) {
      if (received == null) {
        received = bytes.retain();
      } else {
        if (!(received instanceof CompositeByteBuf)) {
          received = ctx.alloc().compositeBuffer(16).addComponent(true, received);
        }
        ((CompositeByteBuf) received).addComponent(true, bytes.retain());
      }
      if (received.readableBytes() > maxBody) {
        received.release();
        received = null;
        HttpVersion version = receiving.protocolVersion();
        receiving = null;
        refuse(Responses.invalidRequest(version, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
            "request body exceeds the limit of " + maxBody + " bytes"));
        return;
      }
    }
    if (part instanceof LastHttpContent) {
      HttpRequest head = receiving;
      ByteBuf body = received != null ? received : Unpooled.EMPTY_BUFFER;
      receiving = null;
      received = null;
      Incoming request = new Incoming(head, body, HttpUtil.isKeepAlive(head),
          head.headers().get(HttpHeaderNames.ORIGIN), Gzip.accepted(head));
      if (busy) {
        waiting.add(request);
        if (waiting.size() >= MAX_WAITING) {
          ctx.channel().config().setAutoRead(false);
        }
      } else {
        serve(request);
      }
    }
  }

  /** Ends the connection after this answer; what is still coming is dropped ({@link Lingering}). */
  private void refuse(FullHttpResponse refusal) {
    refusing = true;
    busy = false;
    drop();
    Lingering.answerAndClose(ctx, refusal);
  }

  private void serve(Incoming request) {
    busy = true;
    current = request;
    try {
      route(request);
    } catch (RuntimeException e) {
      LOG.warn("internal error answering {} {}", request.head().method(), request.head().uri(), e);
      if (request.body().refCnt() > 0) {
        request.body().release();
      }
      if (busy) {
        respond(Responses.error(HttpVersion.HTTP_1_1, HttpResponseStatus.INTERNAL_SERVER_ERROR,
            JsonRpcErrors.INTERNAL_ERROR, "internal error: " + e.getClass().getSimpleName()));
      }
    }
  }

  private void route(Incoming request) {
    HttpRequest head = request.head();
    HttpVersion version = head.protocolVersion();
    String uri = head.uri();
    int query = uri.indexOf('?');
    String path = query < 0 ? uri : uri.substring(0, query);
    if (Cors.isPreflight(head)) {
      request.body().release();
      respond(plane.cors.preflight(head));
    } else if (path.startsWith("/rpc/")) {
      rpc(request, path.substring(4));
    } else if (path.startsWith("/ws/rpc/")) {
      RouteResolver.Route route = plane.route(path.substring(7));
      if (route instanceof RouteResolver.Rejection rejection) {
        request.body().release();
        respond(Responses.json(version, HttpResponseStatus.valueOf(rejection.status()), rejection.body()));
        return;
      }
      RpcTarget target = (RpcTarget) route;
      DefaultFullHttpRequest whole = new DefaultFullHttpRequest(version, head.method(), uri, request.body(),
          head.headers(), EmptyHttpHeaders.INSTANCE);
      FullHttpResponse refused = WsUpgrade.upgrade(ctx, whole, target, plane);
      whole.release();
      if (refused != null) {
        refuse(refused);
      }
      // else the connection speaks WebSocket now and this handler is gone from it
    } else if (path.equals("/health") || path.equals("/ready")) {
      request.body().release();
      if (!head.method().equals(HttpMethod.GET) && !head.method().equals(HttpMethod.HEAD)) {
        respond(methodNotAllowed(version, "GET"));
        return;
      }
      Health.Report report = path.equals("/health") ? plane.health.health() : plane.health.ready();
      respond(Responses.json(version, HttpResponseStatus.valueOf(report.status()), report.json()));
    } else {
      request.body().release();
      respond(Responses.json(version, HttpResponseStatus.NOT_FOUND, JsonRpcCodec.errorResponse("null",
          JsonRpcErrors.UNKNOWN_CHAIN_OR_ROUTE, "no such route: " + path + "; JSON-RPC is served on /rpc/{chain}",
          "{\"routes\":[\"/rpc/{chain}\",\"/ws/rpc/{chain}\",\"/health\",\"/ready\"]}")));
    }
  }

  private void rpc(Incoming request, String path) {
    HttpRequest head = request.head();
    HttpVersion version = head.protocolVersion();
    ByteBuf content = request.body();
    if (!head.method().equals(HttpMethod.POST)) {
      content.release();
      respond(methodNotAllowed(version, "POST, OPTIONS"));
      return;
    }
    if (!lag.admits()) {
      // The loop is behind: answered before the request is parsed or routed.
      content.release();
      plane.shedOnLag.increment();
      respond(Responses.shed(version));
      return;
    }
    RouteResolver.Route route = plane.route(path);
    if (route instanceof RouteResolver.Rejection rejection) {
      content.release();
      respond(Responses.json(version, HttpResponseStatus.valueOf(rejection.status()), rejection.body()));
      return;
    }
    RpcTarget target = (RpcTarget) route;
    int n = content.readableBytes();
    byte[] body = plane.scratch(n);
    content.getBytes(content.readerIndex(), body, 0, n);
    slicing = content;
    try {
      plane.dispatcher.dispatch(target.chain(), target.strategy(), target.allowed(), body, n, this,
          transport.passingThrough(), answer -> answered(answer, version));
    } finally {
      slicing = null;
      content.release(); // the slices taken hold their own references
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

  private void answered(Answer<ByteBuf> answer, HttpVersion version) {
    if (!ctx.channel().isActive()) {
      Responses.release(answer);
      busy = false; // the client left; nothing to send
      return;
    }
    if (answer.empty()) {
      respond(Responses.empty(version, HttpResponseStatus.NO_CONTENT));
      return;
    }
    if (answer.single() && answer.parts().get(0).body() != null) {
      PassThrough stream = PassThrough.of(answer.parts().get(0).body());
      if (stream != null) {
        passThrough(answer, stream, version);
        return;
      }
    }
    boolean refused = answer.single() && answer.parts().get(0).refused();
    ByteBuf body = Responses.body(ctx.alloc(), answer);
    FullHttpResponse response = Responses.json(version,
        refused ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.OK, body);
    HttpHeaders headers = response.headers();
    if (refused) {
      headers.set(HttpHeaderNames.RETRY_AFTER, ONE);
    }
    routingHeaders(headers, answer);
    respond(response);
  }

  private static void routingHeaders(HttpHeaders headers, Answer<ByteBuf> answer) {
    List<Outcome<ByteBuf>> routed = answer.routed();
    if (routed.size() == 1 && answer.single()) {
      Outcome<ByteBuf> o = routed.get(0); // the common case, without building strings
      headers.set(PROVIDER, o.providerId() != null ? o.providerId() : RIATA);
      headers.setInt(ATTEMPTS, Attempt.sent(o.attempts()));
      String log = RoutingHeaders.attemptLog(o.attempts());
      if (log != null) {
        headers.set(ATTEMPT_LOG, log);
      }
    } else {
      RoutingHeaders routing = RoutingHeaders.of(routed, answer.single());
      headers.set(PROVIDER, routing.provider());
      headers.setInt(ATTEMPTS, routing.attempts());
      if (routing.attemptLog() != null) {
        headers.set(ATTEMPT_LOG, routing.attemptLog());
      }
    }
  }

  /**
   * Sends a reply that is passed through: the head, the reply's start, then the rest as it
   * arrives; with its length when the provider gave one, else chunked (HTTP/1.0: until the close).
   * Never gzipped. The connection is busy until the last byte.
   */
  private void passThrough(Answer<ByteBuf> answer, PassThrough stream, HttpVersion version) {
    ByteBuf start = answer.parts().get(0).body();
    Incoming request = current;
    current = null;
    boolean keepAlive = request != null && request.keepAlive() && !plane.draining;
    HttpResponse response = new DefaultHttpResponse(version, HttpResponseStatus.OK);
    HttpHeaders headers = response.headers();
    headers.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    routingHeaders(headers, answer);
    if (request != null) {
      plane.cors.decorate(request.origin(), headers);
    }
    long length = stream.contentLength();
    if (length >= 0) {
      headers.set(HttpHeaderNames.CONTENT_LENGTH, length);
    } else if (version.equals(HttpVersion.HTTP_1_1)) {
      HttpUtil.setTransferEncodingChunked(response, true);
    } else {
      keepAlive = false; // an HTTP/1.0 client reads such a reply until the connection ends
    }
    if (!keepAlive) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (version.equals(HttpVersion.HTTP_1_0)) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    passing = stream;
    passingKeepsAlive = keepAlive;
    ctx.write(response);
    ctx.write(new DefaultHttpContent(start.retainedDuplicate()));
    stream.start(sink); // before the start can be released: what arrived meanwhile follows it
    start.release();
    if (passing != null) {
      ctx.flush();
    }
  }

  /** More of the reply being passed through; the last part ends it like any answer. */
  private void passed(ByteBuf data, boolean last) {
    PassThrough stream = passing;
    if (stream == null) {
      data.release();
      return;
    }
    if (!last) {
      ctx.writeAndFlush(new DefaultHttpContent(data));
      if (!ctx.channel().isWritable()) {
        stream.pause(); // resumed when the client has taken what is queued for it
      }
      return;
    }
    passing = null;
    HttpContent end;
    if (data.isReadable()) {
      end = new DefaultLastHttpContent(data);
    } else {
      data.release();
      end = LastHttpContent.EMPTY_LAST_CONTENT;
    }
    ChannelFuture written = ctx.writeAndFlush(end);
    busy = false;
    if (!passingKeepsAlive) {
      written.addListener(ChannelFutureListener.CLOSE);
      drop();
    } else if (!waiting.isEmpty()) {
      ctx.executor().execute(this::next);
    }
  }

  /** The provider's connection ended mid-reply: this client's reply can only be cut short. */
  private void brokenOff() {
    if (passing != null) {
      passing = null;
      LOG.debug("a reply passed through broke off upstream; closing the client connection");
      ctx.close();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (passing != null && ctx.channel().isWritable()) {
      passing.resume();
    }
    ctx.fireChannelWritabilityChanged();
  }

  private static FullHttpResponse methodNotAllowed(HttpVersion version, String allowed) {
    FullHttpResponse response = Responses.invalidRequest(version, HttpResponseStatus.METHOD_NOT_ALLOWED,
        "method not allowed here; use " + allowed);
    response.headers().set(HttpHeaderNames.ALLOW, allowed);
    return response;
  }

  /** The node is stopping: closes now if idle, else after the answer in progress (on the loop). */
  void closeWhenIdle() {
    if (!busy) {
      drop();
      ctx.close();
    }
  }

  /** Sends the answer to the request being served (CORS, gzip, keep-alive), then serves the next one that waited. */
  private void respond(FullHttpResponse response) {
    Incoming request = current;
    current = null;
    boolean keepAlive = request != null && request.keepAlive() && !plane.draining;
    if (request != null) {
      HttpHeaders headers = response.headers();
      plane.cors.decorate(request.origin(), headers);
      if (request.gzip()) {
        response = response.replace(Gzip.maybe(true, response.content(), headers, ctx.alloc()));
      }
    }
    if (!keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      busy = false;
      drop();
      return;
    }
    if (response.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    ctx.writeAndFlush(response);
    busy = false;
    if (!waiting.isEmpty()) {
      // Later, not from inside this answer: the dispatcher may still be on the stack.
      ctx.executor().execute(this::next);
    }
  }

  private void next() {
    if (busy || !ctx.channel().isActive()) {
      return;
    }
    Incoming request = waiting.poll();
    if (request != null) {
      if (waiting.size() < MAX_WAITING) {
        ctx.channel().config().setAutoRead(true);
      }
      serve(request);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent && !busy && waiting.isEmpty() && receiving == null) {
      ctx.close();
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    PassThrough stream = passing;
    if (stream != null) {
      passing = null;
      stream.cancel(); // the provider's connection, mid-reply, is closed
    }
    drop();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (received != null) {
      received.release();
      received = null;
    }
  }

  private void drop() {
    Incoming r;
    while ((r = waiting.poll()) != null) {
      r.body().release();
    }
    if (received != null) {
      received.release();
      received = null;
    }
    receiving = null;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!(cause instanceof java.io.IOException)) {
      LOG.debug("closing a client connection after {}", cause.toString());
    }
    ctx.close();
  }
}
