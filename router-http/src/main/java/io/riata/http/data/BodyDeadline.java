package io.riata.http.data;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A request body must arrive within the body-read timeout of its headers. One that does not
 * gets HTTP 408 with a JSON-RPC error, and the connection is closed: a client (or an attacker)
 * trickling a body cannot hold a connection and a buffer for long.
 */
final class BodyDeadline extends ChannelDuplexHandler {

  private final long timeoutNanos;
  private Future<?> timer;
  private boolean expired;

  BodyDeadline(Duration timeout) {
    this.timeoutNanos = timeout.toNanos();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (expired) {
      ReferenceCountUtil.release(msg); // what trickles in after the 408
      return;
    }
    if (msg instanceof HttpRequest && !(msg instanceof LastHttpContent)) {
      cancel();
      timer = ctx.executor().schedule(() -> expire(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
    }
    if (msg instanceof LastHttpContent) {
      cancel();
    } else if (!(msg instanceof HttpRequest) && !(msg instanceof HttpContent)) {
      cancel();
    }
    ctx.fireChannelRead(msg);
  }

  private void expire(ChannelHandlerContext ctx) {
    timer = null;
    expired = true;
    ctx.writeAndFlush(Responses.error(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_TIMEOUT,
            io.riata.core.jsonrpc.JsonRpcErrors.INVALID_REQUEST,
            "the request body did not arrive within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms"))
        .addListener(ChannelFutureListener.CLOSE);
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancel();
    ctx.fireChannelInactive();
  }
}
