package io.riata.http.data.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.util.ArrayDeque;

/**
 * The start of a reply being passed through: its bytes so far, and the way to the rest. Released
 * without having been taken over (the engine did not use the reply, or the client left before it
 * was written), it closes the provider's connection, whose reply can no longer be read to its end.
 */
final class StreamHead extends CompositeByteBuf implements PassThrough {

  private final long contentLength;
  /** The exchange reading the rest; null once the reply ended or was given up. */
  private Exchange exchange;
  private Sink sink;
  private boolean taken;
  /** Parts that arrived before the reply was taken over (at most what one read decoded). */
  private ArrayDeque<UpstreamResponseDecoder.Part> early;
  private boolean broken;

  StreamHead(ByteBufAllocator alloc, long contentLength) {
    super(alloc, true, 64);
    this.contentLength = contentLength;
  }

  void attach(Exchange exchange) {
    this.exchange = exchange;
  }

  @Override
  public long contentLength() {
    return contentLength;
  }

  @Override
  public void start(Sink sink) {
    taken = true;
    this.sink = sink;
    if (early != null) {
      UpstreamResponseDecoder.Part part;
      while ((part = early.poll()) != null) {
        sink.part(part.data(), part.last());
      }
      early = null;
    }
    if (broken) {
      sink.broken();
    } else if (exchange != null) {
      exchange.readOn(true);
    }
  }

  /** The next part from the provider (from the exchange). */
  void part(UpstreamResponseDecoder.Part part) {
    if (part.last()) {
      exchange = null;
    }
    if (sink != null) {
      sink.part(part.data(), part.last());
    } else if (!taken && refCnt() > 0) {
      if (early == null) {
        early = new ArrayDeque<>(4);
      }
      early.add(part);
    } else {
      part.data().release();
    }
  }

  /** The provider's connection ended before the reply did (from the exchange). */
  void broke() {
    exchange = null;
    if (sink != null) {
      sink.broken();
    } else {
      broken = true;
    }
  }

  @Override
  public void pause() {
    if (exchange != null) {
      exchange.readOn(false);
    }
  }

  @Override
  public void resume() {
    if (exchange != null) {
      exchange.readOn(true);
    }
  }

  @Override
  public void cancel() {
    Exchange ex = exchange;
    exchange = null;
    sink = null;
    if (ex != null) {
      ex.cancelPassing();
    }
  }

  @Override
  protected void deallocate() {
    if (!taken) {
      if (early != null) {
        early.forEach(p -> p.data().release());
        early = null;
      }
      cancel();
    }
    super.deallocate();
  }
}
