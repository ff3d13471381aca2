package io.riata.http.data.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.riata.core.engine.AttemptListener;
import io.riata.core.engine.Cancellable;
import io.riata.core.engine.TransportFailure;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * One request to one provider over one connection, from taking (or opening) the connection to
 * the answer, on the connection's event loop. It reports to its listener exactly once, unless it
 * is cancelled first. The request goes out as the provider's ready head, the length, and the
 * caller's bytes (a duplicate of them, nothing copied).
 */
final class Exchange implements Cancellable, Runnable {

  private static final byte[] CRLF_CRLF = {'\r', '\n', '\r', '\n'};

  private final ProviderConnections pool;
  private final ByteBuf payload;
  private final AttemptListener<ByteBuf> listener;
  private Channel channel;
  private Future<Channel> connecting;
  private Future<?> timer;
  private boolean ended;
  private boolean sent;

  Exchange(ProviderConnections pool, ByteBuf payload, AttemptListener<ByteBuf> listener) {
    this.pool = pool;
    this.payload = payload;
    this.listener = listener;
  }

  void start(long timeoutNanos) {
    timer = pool.loop.schedule(this, timeoutNanos, TimeUnit.NANOSECONDS);
    Channel idle = pool.takeIdle();
    if (idle != null) {
      send(idle);
      return;
    }
    connecting = pool.connect();
    connecting.addListener(this::onConnected);
  }

  private void onConnected(Future<? super Channel> f) {
    if (ended) {
      return; // the connection, if any, is closed by the cancelled promise
    }
    if (!f.isSuccess()) {
      fail(connectFailure(f.cause()));
      return;
    }
    Channel ch = connecting.getNow();
    SslHandler tls = ch.pipeline().get(SslHandler.class);
    if (tls == null) {
      send(ch);
      return;
    }
    tls.handshakeFuture().addListener(handshake -> {
      if (ended) {
        ch.close();
      } else if (handshake.isSuccess()) {
        send(ch);
      } else {
        ch.close();
        fail(TransportFailure.TLS_FAILED);
      }
    });
  }

  private void send(Channel ch) {
    channel = ch;
    ch.pipeline().get(UpstreamHandler.class).exchange = this;
    sent = true;
    ch.write(pool.endpoint.head());
    ByteBuf length = ch.alloc().buffer(16);
    length.writeCharSequence(Integer.toString(payload.readableBytes()), java.nio.charset.StandardCharsets.US_ASCII);
    length.writeBytes(CRLF_CRLF);
    ch.write(length);
    ch.writeAndFlush(payload.retainedDuplicate()).addListener(written -> {
      if (!written.isSuccess()) {
        onError(written.cause());
      }
    });
  }

  void onResponse(FullHttpResponse response) {
    if (ended) {
      response.release();
      return;
    }
    ended = true;
    timer.cancel(false);
    if (response.decoderResult().isFailure()) {
      response.release();
      channel.close();
      listener.onFailure(TransportFailure.MALFORMED_HTTP);
      return;
    }
    if (HttpUtil.isKeepAlive(response)) {
      pool.giveBack(channel);
    } else {
      channel.close();
    }
    listener.onReply(response.status().code(), response.headers().get(HttpHeaderNames.RETRY_AFTER), response.content());
  }

  void onClosed() {
    if (!ended) {
      fail(TransportFailure.CLOSED);
    }
  }

  void onError(Throwable cause) {
    if (!ended) {
      fail(failureOf(cause));
    }
  }

  /** The attempt's time is up. */
  @Override
  public void run() {
    if (!ended) {
      fail(sent ? TransportFailure.TIMEOUT : TransportFailure.CONNECT_TIMEOUT);
    }
  }

  @Override
  public void cancel() {
    if (ended) {
      return;
    }
    ended = true;
    timer.cancel(false);
    close();
  }

  private void fail(TransportFailure failure) {
    ended = true;
    timer.cancel(false);
    close();
    listener.onFailure(failure);
  }

  /** A connection whose answer is not (fully) read cannot carry another request. */
  private void close() {
    if (channel != null) {
      UpstreamHandler handler = channel.pipeline().get(UpstreamHandler.class);
      if (handler != null && handler.exchange == this) {
        handler.exchange = null;
      }
      channel.close();
    } else if (connecting != null) {
      connecting.cancel(false);
    }
  }

  static TransportFailure connectFailure(Throwable cause) {
    if (cause instanceof io.netty.channel.ConnectTimeoutException) {
      return TransportFailure.CONNECT_TIMEOUT;
    }
    if (cause instanceof UnknownHostException) {
      return TransportFailure.UNRESOLVED;
    }
    if (cause instanceof SSLException) {
      return TransportFailure.TLS_FAILED;
    }
    return TransportFailure.CONNECT_REFUSED; // refused, unreachable, no route: nothing was sent
  }

  static TransportFailure failureOf(Throwable cause) {
    if (cause instanceof DecoderException && cause.getCause() != null) {
      cause = cause.getCause() instanceof SSLException ? cause.getCause() : cause;
    }
    if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongHttpLineException) {
      return TransportFailure.MALFORMED_HTTP;
    }
    if (cause instanceof TooLongFrameException) {
      return TransportFailure.REPLY_TOO_LARGE;
    }
    if (cause instanceof SSLException) {
      return TransportFailure.TLS_FAILED;
    }
    if (cause instanceof DecoderException) {
      return TransportFailure.MALFORMED_HTTP;
    }
    if (cause instanceof ConnectException) {
      return connectFailure(cause);
    }
    if (cause instanceof ClosedChannelException) {
      return TransportFailure.CLOSED;
    }
    if (cause instanceof IOException) {
      String text = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
      return text.contains("reset") ? TransportFailure.RESET
          : text.contains("broken pipe") || text.contains("closed") ? TransportFailure.CLOSED
          : TransportFailure.IO_ERROR;
    }
    return TransportFailure.IO_ERROR;
  }
}
