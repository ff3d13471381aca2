package io.riata.http.data.upstream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of an upstream connection: hands the response (and the parts of one passed
 * through), the close or the error to the exchange using the connection, if any. An idle
 * connection that no exchange uses is closed.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {

  final UpstreamResponseDecoder decoder;
  /** The exchange waiting for this connection's answer; only touched on the connection's event loop. */
  Exchange exchange;

  UpstreamHandler(UpstreamResponseDecoder decoder) {
    this.decoder = decoder;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Exchange ex = exchange;
    if (ex != null && msg instanceof UpstreamResponseDecoder.Part part) {
      ex.onPart(part);
      return;
    }
    if (ex == null || !(msg instanceof UpstreamResponseDecoder.Response response)) {
      if (msg instanceof UpstreamResponseDecoder.Response stray) {
        stray.body().release();
      } else if (msg instanceof UpstreamResponseDecoder.Part stray) {
        stray.data().release();
      } else {
        ReferenceCountUtil.release(msg);
      }
      ctx.close(); // an answer nobody asked for: the connection is out of step
      return;
    }
    exchange = null;
    ex.onResponse(response);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    Exchange ex = exchange;
    exchange = null;
    if (ex != null) {
      ex.onClosed();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Exchange ex = exchange;
    exchange = null;
    ctx.close();
    if (ex != null) {
      ex.onError(cause);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent && exchange == null) {
      ctx.close();
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }
}
