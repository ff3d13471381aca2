package io.riata.http.data.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import javax.net.ssl.SSLException;

/**
 * The WebSocket protocol of one {@link UpstreamSocket}, last in its pipeline: the upgrade (sent
 * once the connection, and TLS if any, is up), then the frames. A text message goes to the socket
 * whole (fragments are assembled in front of this handler, up to the largest reply allowed), a
 * ping is answered with a pong, a close frame is sent back and the connection closed. Anything
 * else that goes wrong ends the socket with its cause.
 */
final class UpstreamSocketHandler extends ChannelInboundHandlerAdapter {

  private final UpstreamSocket socket;
  private final WebSocketClientHandshaker handshaker;
  /** Our close frame is out (ours or the answer to the provider's): nothing else may follow it. */
  private boolean closeSent;

  UpstreamSocketHandler(UpstreamSocket socket, WebSocketClientHandshaker handshaker) {
    this.socket = socket;
    this.handshaker = handshaker;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (ctx.pipeline().get(SslHandler.class) == null) {
      upgrade(ctx);
    } // else the upgrade waits for the TLS handshake
    ctx.fireChannelActive();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent tls) {
      if (tls.isSuccess()) {
        upgrade(ctx);
      } else {
        socket.end("TLS handshake failed: " + UpstreamSocket.describe(tls.cause()));
      }
    }
    ctx.fireUserEventTriggered(evt);
  }

  private void upgrade(ChannelHandlerContext ctx) {
    handshaker.handshake(ctx.channel()).addListener(sent -> {
      if (!sent.isSuccess()) {
        socket.end("could not send the upgrade request: " + UpstreamSocket.describe(sent.cause()));
      }
    });
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!handshaker.isHandshakeComplete()) {
      if (msg instanceof FullHttpResponse response) {
        try {
          onUpgradeAnswer(ctx, response);
        } finally {
          response.release();
        }
      } else {
        ReferenceCountUtil.release(msg);
        socket.end("unexpected " + msg.getClass().getSimpleName() + " before the upgrade");
      }
      return;
    }
    if (msg instanceof TextWebSocketFrame text) {
      try {
        socket.onText(text.content());
      } finally {
        text.release();
      }
    } else if (msg instanceof PingWebSocketFrame ping && !closeSent) {
      ctx.writeAndFlush(new PongWebSocketFrame(ping.content())); // the ping's buffer goes back out in the pong
    } else if (msg instanceof CloseWebSocketFrame close) {
      onCloseFrame(ctx, close);
    } else {
      ReferenceCountUtil.release(msg); // binary messages and pongs mean nothing to a subscription
    }
  }

  private void onUpgradeAnswer(ChannelHandlerContext ctx, FullHttpResponse response) {
    if (!HttpResponseStatus.SWITCHING_PROTOCOLS.equals(response.status())) {
      socket.end("upgrade refused: HTTP " + response.status());
      return;
    }
    try {
      handshaker.finishHandshake(ctx.channel(), response);
    } catch (RuntimeException invalid) {
      socket.end("upgrade failed: " + UpstreamSocket.describe(invalid));
      return;
    }
    // The handshaker has put the frame decoder where the HTTP codec was; fragments are joined after it.
    ctx.pipeline().addBefore(ctx.name(), "ws-aggregator", new WebSocketFrameAggregator(socket.maxMessageBytes()));
    socket.onUpgraded(ctx.channel());
  }

  private void onCloseFrame(ChannelHandlerContext ctx, CloseWebSocketFrame close) {
    int status = close.statusCode();
    String text = close.reasonText();
    socket.ending("closed by the provider" + (status < 0 ? "" : ": " + status + (text.isEmpty() ? "" : " " + text)));
    if (closeSent) {
      close.release();
      ctx.close();
      return;
    }
    closeSent = true;
    ctx.writeAndFlush(close).addListener(ChannelFutureListener.CLOSE); // the closing handshake: its frame goes back
  }

  /** Starts the closing handshake from our side: a close frame (1000), then the connection is closed. */
  void closeNormally(Channel ch) {
    if (closeSent || !ch.isActive()) {
      ch.close();
      return;
    }
    closeSent = true;
    ch.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
        .addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (handshaker.isHandshakeComplete() && tooLarge(cause)) {
      socket.end("a message over " + socket.maxMessageBytes() + " bytes");
    } else if (!handshaker.isHandshakeComplete()
        && (cause instanceof SSLException || cause.getCause() instanceof SSLException)) {
      socket.end("TLS handshake failed: " + UpstreamSocket.describe(cause));
    } else {
      socket.end("failed: " + UpstreamSocket.describe(cause));
    }
  }

  /** The frame decoder's limit (one frame) or the aggregator's (one message), both at the largest reply allowed. */
  private static boolean tooLarge(Throwable cause) {
    return cause instanceof TooLongFrameException
        || cause instanceof CorruptedWebSocketFrameException corrupt
        && WebSocketCloseStatus.MESSAGE_TOO_BIG.equals(corrupt.closeStatus());
  }
}
