package io.riata.http.data.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
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
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLException;

/**
 * One request to one provider over one connection, from taking (or opening) the connection to
 * the answer, on the connection's event loop. It reports to its listener exactly once, unless it
 * is cancelled first. The request goes out as the provider's ready head, the length, and the
 * caller's bytes (a duplicate of them, nothing copied).
 *
 * <p>A reply passed through ({@link StreamHead}) is reported to the listener by its start; the
 * exchange then keeps the connection and hands the rest to whoever took the reply over, with the
 * attempt's timeout as the longest the provider may go quiet in between. The connection goes
 * back to the pool after the reply's last byte.
 */
final class Exchange implements Cancellable, ChannelFutureListener {

  /** How long a reply passed through waits for a client that takes none of it, at least. */
  private static final long SLOW_CLIENT_NANOS = 60_000_000_000L;

  private final ProviderConnections pool;
  private final ByteBuf payload;
  private final AttemptListener<ByteBuf> listener;
  private final Deadlines deadlines;
  /** Replies larger than this may be passed through ({@link Long#MAX_VALUE}: never). */
  private final long passThroughAbove;
  private final LongAdder passedThrough;
  private long timeoutNanos;
  /** The reply being passed through while its rest is read, else {@code null}. */
  private StreamHead passing;
  private boolean keepAliveAfterPassing;
  private Channel channel;
  private Future<Channel> connecting;
  private boolean ended;
  private boolean sent;
  /**
   * Whether this exchange holds a reference to the payload while a connection is being opened:
   * the request may be answered by another attempt and its bytes freed before this one sends.
   */
  private boolean holdsPayload;
  /** When the attempt's time is up ({@link System#nanoTime()}), watched by {@link Deadlines}. */
  long deadlineNanos;
  /** Neighbours in the list of exchanges {@link Deadlines} watches. */
  Exchange previous;
  Exchange next;

  Exchange(ProviderConnections pool, ByteBuf payload, AttemptListener<ByteBuf> listener, Deadlines deadlines,
           long passThroughAbove, LongAdder passedThrough) {
    this.pool = pool;
    this.payload = payload;
    this.listener = listener;
    this.deadlines = deadlines;
    this.passThroughAbove = passThroughAbove;
    this.passedThrough = passedThrough;
  }

  void start(long timeoutNanos) {
    this.timeoutNanos = timeoutNanos;
    deadlineNanos = System.nanoTime() + timeoutNanos;
    deadlines.watch(this);
    Channel idle = pool.takeIdle();
    if (idle != null) {
      send(idle);
      return;
    }
    payload.retain();
    holdsPayload = true;
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
    UpstreamHandler handler = (UpstreamHandler) ch.pipeline().last();
    handler.exchange = this;
    handler.decoder.passThroughAbove = passThroughAbove;
    sent = true;
    ch.write(pool.endpoint.head());
    ch.write(lengthAndBlankLine(ch, payload.readableBytes()));
    ch.writeAndFlush(payload.retainedDuplicate()).addListener(this);
    dropPayload();
  }

  private void dropPayload() {
    if (holdsPayload) {
      holdsPayload = false;
      payload.release();
    }
  }

  /** The request's bytes have been written, or could not be. */
  @Override
  public void operationComplete(ChannelFuture written) {
    if (!written.isSuccess()) {
      onError(written.cause());
    }
  }

  /** {@code 123\r\n\r\n}: the Content-Length value and the end of the head. */
  private static ByteBuf lengthAndBlankLine(Channel ch, int length) {
    ByteBuf out = ch.alloc().ioBuffer(16);
    int divisor = 1;
    while (length / divisor >= 10) {
      divisor *= 10;
    }
    for (; divisor > 0; divisor /= 10) {
      out.writeByte('0' + (length / divisor) % 10);
    }
    return out.writeByte('\r').writeByte('\n').writeByte('\r').writeByte('\n');
  }

  void onResponse(UpstreamResponseDecoder.Response response) {
    if (ended) {
      response.body().release();
      return;
    }
    ended = true;
    if (response.body() instanceof StreamHead head) {
      // Reported by its start; the connection stays with this exchange for the rest, read only
      // once the reply is taken over (until then at most what one read decoded waits).
      passing = head;
      head.attach(this);
      keepAliveAfterPassing = response.keepAlive();
      ((UpstreamHandler) channel.pipeline().last()).exchange = this;
      channel.config().setAutoRead(false);
      deadlineNanos = System.nanoTime() + timeoutNanos;
      passedThrough.increment();
      listener.onReply(response.status(), response.retryAfter(), head);
      return;
    }
    deadlines.forget(this);
    if (response.keepAlive()) {
      pool.giveBack(channel);
    } else {
      channel.close();
    }
    listener.onReply(response.status(), response.retryAfter(), response.body());
  }

  /** More of a reply passed through. */
  void onPart(UpstreamResponseDecoder.Part part) {
    StreamHead head = passing;
    if (head == null) {
      part.data().release();
      return;
    }
    if (part.last()) {
      passing = null;
      deadlines.forget(this);
      ((UpstreamHandler) channel.pipeline().last()).exchange = null;
      channel.config().setAutoRead(true);
      if (keepAliveAfterPassing) {
        pool.giveBack(channel);
      } else {
        channel.close();
      }
    } else {
      deadlineNanos = System.nanoTime() + timeoutNanos;
    }
    head.part(part);
  }

  /**
   * Reads on from the provider, or stops until told to go on (the client is slow to take the
   * reply). While stopped the provider is not to blame for going quiet; a client that takes
   * nothing for {@link #SLOW_CLIENT_NANOS} loses the reply.
   */
  void readOn(boolean on) {
    if (passing != null) {
      channel.config().setAutoRead(on);
      deadlineNanos = System.nanoTime() + (on ? timeoutNanos : Math.max(timeoutNanos, SLOW_CLIENT_NANOS));
    }
  }

  /** The reply passed through is no longer wanted: the connection, mid-reply, is closed. */
  void cancelPassing() {
    if (passing != null) {
      passing = null;
      deadlines.forget(this);
      close();
    }
  }

  /** The provider's connection failed or went quiet for too long in the middle of a reply passed through. */
  private void brokeOff() {
    StreamHead head = passing;
    passing = null;
    deadlines.forget(this);
    close();
    head.broke();
  }

  void onClosed() {
    if (passing != null) {
      brokeOff();
    } else if (!ended) {
      fail(TransportFailure.CLOSED);
    }
  }

  void onError(Throwable cause) {
    if (passing != null) {
      brokeOff();
    } else if (!ended) {
      fail(failureOf(cause));
    }
  }

  /** The attempt's time is up ({@link Deadlines} calls this once it has let go of the exchange). */
  void expire() {
    if (passing != null) {
      brokeOff();
    } else if (!ended) {
      fail(sent ? TransportFailure.TIMEOUT : TransportFailure.CONNECT_TIMEOUT);
    }
  }

  @Override
  public void cancel() {
    if (ended) {
      return;
    }
    ended = true;
    deadlines.forget(this);
    close();
    dropPayload();
  }

  private void fail(TransportFailure failure) {
    ended = true;
    deadlines.forget(this);
    close();
    dropPayload();
    listener.onFailure(failure);
  }

  /** A connection whose answer is not (fully) read cannot carry another request. */
  private void close() {
    if (channel != null) {
      if (channel.pipeline().last() instanceof UpstreamHandler handler && handler.exchange == this) {
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
      cause = cause.getCause(); // what the decoder (or the TLS layer under it) found
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
