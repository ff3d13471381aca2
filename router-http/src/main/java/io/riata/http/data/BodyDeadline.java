package io.riata.http.data;

import io.netty.channel.ChannelDuplexHandler;
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
  /** Headers arrived and the body has not ended yet. */
  private boolean awaiting;
  private long headersAtNanos;

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
      awaiting = true;
      headersAtNanos = System.nanoTime();
    }
    if (msg instanceof LastHttpContent || !(msg instanceof HttpRequest || msg instanceof HttpContent)) {
      awaiting = false;
      cancel();
    }
    ctx.fireChannelRead(msg);
  }

  /**
   * The timer starts only when a read ended with a body still missing: most requests arrive whole
   * in one read and cost no timer at all.
   */
  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (awaiting && timer == null && !expired) {
      long left = timeoutNanos - (System.nanoTime() - headersAtNanos);
      timer = ctx.executor().schedule(() -> expire(ctx), Math.max(0, left), TimeUnit.NANOSECONDS);
    }
    ctx.fireChannelReadComplete();
  }

  private void expire(ChannelHandlerContext ctx) {
    timer = null;
    if (!awaiting) {
      return;
    }
    expired = true;
    Lingering.answerAndClose(ctx, Responses.error(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_TIMEOUT,
        io.riata.core.jsonrpc.JsonRpcErrors.INVALID_REQUEST,
        "the request body did not arrive within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms"));
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
