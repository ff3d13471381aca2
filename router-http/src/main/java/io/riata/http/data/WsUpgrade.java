package io.riata.http.data;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.riata.http.data.RpcTarget;

/**
 * Turns an HTTP connection into a JSON-RPC WebSocket on a {@code /ws/rpc/...} route: checks the
 * upgrade and the page's origin, answers the handshake, and replaces the HTTP handlers of the
 * pipeline with a {@link WsRpcHandler}, all on the event loop and before anything else is read,
 * so no frame can slip past.
 */
final class WsUpgrade {

  private WsUpgrade() {}

  /** Upgrades the connection, or returns the answer refusing to. */
  static FullHttpResponse upgrade(ChannelHandlerContext ctx, FullHttpRequest request, RpcTarget target, RpcPlane plane) {
    if (!request.method().equals(HttpMethod.GET)
        || !request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
      return Responses.invalidRequest(request.protocolVersion(), HttpResponseStatus.BAD_REQUEST,
          "expected a WebSocket upgrade (GET with Upgrade: websocket)");
    }
    String origin = request.headers().get(HttpHeaderNames.ORIGIN);
    if (origin != null && !plane.websocket.allowedOrigins().isEmpty()
        && !plane.websocket.allowedOrigins().contains(origin)) {
      return Responses.invalidRequest(request.protocolVersion(), HttpResponseStatus.FORBIDDEN,
          "WebSocket connections from origin " + origin + " are not allowed");
    }
    WebSocketDecoderConfig frames = WebSocketDecoderConfig.newBuilder()
        .maxFramePayloadLength((int) Math.min(Integer.MAX_VALUE, plane.websocket.maxMessageBytes()))
        .allowExtensions(false)
        .closeOnProtocolViolation(true)
        .build();
    String url = "ws://" + request.headers().get(HttpHeaderNames.HOST, "localhost") + request.uri();
    WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(url, null, frames).newHandshaker(request);
    if (handshaker == null) {
      WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
      return null;
    }
    ChannelPipeline p = ctx.pipeline();
    WsRpcHandler handler = new WsRpcHandler(plane, target, handshaker);
    handshaker.handshake(ctx.channel(), request);
    // The HTTP-only handlers leave; what the handshake left of the codec is its business.
    for (String name : new String[] {"read-deadline", "idle"}) {
      if (p.get(name) != null) {
        p.remove(name);
      }
    }
    p.replace(ctx.name(), "ws-rpc", handler);
    return null;
  }
}
