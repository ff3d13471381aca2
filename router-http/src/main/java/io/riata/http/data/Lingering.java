package io.riata.http.data;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * Ends a connection after an answer that refuses the rest of what the client is still sending
 * (a body over the limit, one that arrives too slowly, headers too large). Closing at once would
 * make the kernel reset the connection over the unread bytes, and the client could lose the
 * answer; so the answer goes out marked {@code Connection: close}, the sending side is shut down
 * (the client sees the end of the answer), and whatever still arrives is read and dropped for a
 * second at most before the connection is closed.
 */
final class Lingering {

  private static final long LINGER_MILLIS = 1000;

  private Lingering() {}

  static void answerAndClose(ChannelHandlerContext ctx, FullHttpResponse response) {
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    Channel ch = ctx.channel();
    ChannelFuture written = ctx.writeAndFlush(response);
    written.addListener(f -> {
      if (!f.isSuccess() || !(ch instanceof DuplexChannel duplex) || !ch.isActive()) {
        ch.close();
        return;
      }
      ChannelPipeline p = ch.pipeline();
      for (String name : p.names()) {
        ChannelHandler h = p.get(name);
        if (h != null && !name.startsWith("DefaultChannelPipeline$TailContext")) {
          p.remove(h);
        }
      }
      p.addLast("linger", new Drop());
      ch.config().setAutoRead(true);
      duplex.shutdownOutput();
      ch.eventLoop().schedule(() -> {
        ch.close();
      }, LINGER_MILLIS, TimeUnit.MILLISECONDS);
    });
  }

  /** Reads and drops; the connection has been answered. */
  private static final class Drop extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
        ctx.close(); // the client has finished sending: nothing left to wait for
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
