package io.riata.http.data;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.riata.core.jsonrpc.JsonRpcErrors;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A request's line and headers must arrive within the header-read timeout of their first byte,
 * and its body within the body-read timeout of the headers. A request that does not gets HTTP 408
 * with a JSON-RPC error, and the connection is closed: a client (or an attacker) trickling a
 * request a byte at a time cannot hold a connection and a buffer for long.
 *
 * <p>Sits after the HTTP codec, which passes on a read-complete for every read from the socket,
 * also one that decoded nothing: such a read between requests is the start of a head.
 */
final class ReadDeadline extends ChannelInboundHandlerAdapter {

  /** Where the connection's current request is. */
  private enum Phase {
    /** Between requests: nothing of the next one has arrived. */
    IDLE,
    /** Bytes of a request line or headers arrived; the head is not complete. */
    HEAD,
    /** The head arrived; the body has not ended. */
    BODY
  }

  private final long headNanos;
  private final long bodyNanos;
  private final LongAdder headTimeouts;
  private final LongAdder bodyTimeouts;
  private Phase phase = Phase.IDLE;
  private long phaseSinceNanos;
  /** The codec passed something on during the current read. */
  private boolean decoded;
  private Future<?> timer;
  private boolean expired;

  ReadDeadline(Duration headTimeout, Duration bodyTimeout, LongAdder headTimeouts, LongAdder bodyTimeouts) {
    this.headNanos = headTimeout.toNanos();
    this.bodyNanos = bodyTimeout.toNanos();
    this.headTimeouts = headTimeouts;
    this.bodyTimeouts = bodyTimeouts;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (expired) {
      ReferenceCountUtil.release(msg); // what trickles in after the 408
      return;
    }
    decoded = true;
    if (msg instanceof HttpRequest && !(msg instanceof LastHttpContent)) {
      enter(Phase.BODY);
    } else if (msg instanceof LastHttpContent || !(msg instanceof HttpRequest || msg instanceof HttpContent)) {
      enter(Phase.IDLE);
    }
    ctx.fireChannelRead(msg);
  }

  private void enter(Phase next) {
    if (phase != next) {
      cancel();
      phase = next;
      if (next != Phase.IDLE) {
        phaseSinceNanos = System.nanoTime(); // one clock read per request: only a head or body is timed
      }
    }
  }

  /**
   * The timer starts only when a read ended with the head or the body incomplete: most requests
   * arrive whole in one read and cost no timer at all.
   */
  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (!expired) {
      if (phase == Phase.IDLE && !decoded) {
        enter(Phase.HEAD);
      }
      if (phase != Phase.IDLE && timer == null) {
        long left = limitNanos() - (System.nanoTime() - phaseSinceNanos);
        timer = ctx.executor().schedule(() -> expire(ctx), Math.max(0, left), TimeUnit.NANOSECONDS);
      }
    }
    decoded = false;
    ctx.fireChannelReadComplete();
  }

  private long limitNanos() {
    return phase == Phase.HEAD ? headNanos : bodyNanos;
  }

  private void expire(ChannelHandlerContext ctx) {
    timer = null;
    if (phase == Phase.IDLE) {
      return;
    }
    expired = true;
    (phase == Phase.HEAD ? headTimeouts : bodyTimeouts).increment();
    String what = phase == Phase.HEAD ? "the request line and headers" : "the request body";
    Lingering.answerAndClose(ctx, Responses.error(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_TIMEOUT,
        JsonRpcErrors.INVALID_REQUEST, what + " did not arrive within " + TimeUnit.NANOSECONDS.toMillis(limitNanos())
            + " ms"));
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
