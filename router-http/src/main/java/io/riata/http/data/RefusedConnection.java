package io.riata.http.data;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.riata.core.jsonrpc.JsonRpcErrors;

/**
 * The whole pipeline of a connection over {@code limits.max-connections} (after a response
 * encoder): as soon as it is open, without waiting for a request, it is answered with HTTP 503,
 * {@code Retry-After} and JSON-RPC error -32053, and closed ({@link Lingering}), so the client
 * sees an answer rather than a hang, and the connection is gone within a second.
 */
final class RefusedConnection extends ChannelInboundHandlerAdapter {

  private final int max;

  RefusedConnection(int max) {
    this.max = max;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    FullHttpResponse refusal = Responses.error(HttpVersion.HTTP_1_1, HttpResponseStatus.SERVICE_UNAVAILABLE,
        JsonRpcErrors.NODE_OVERLOADED, "this node has its maximum of " + max
            + " client connections (riata.http.limits.max-connections); try again later");
    refusal.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
    Lingering.answerAndClose(ctx, refusal);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ReferenceCountUtil.release(msg); // the request it sent meanwhile: answered already
  }
}
