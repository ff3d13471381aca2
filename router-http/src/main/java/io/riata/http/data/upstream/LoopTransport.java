package io.riata.http.data.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.riata.core.config.ProviderConfig;
import io.riata.core.engine.AttemptListener;
import io.riata.core.engine.Cancellable;
import io.riata.core.engine.Transport;
import io.riata.core.jsonrpc.ReplyInspector;
import io.riata.core.jsonrpc.UpstreamReply;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * The engine's transport on one event loop: that loop's connection pools, one per provider,
 * its timers, and the reply bytes as the pooled buffers they arrived in. Used only from its loop.
 * Its replies are held whole; {@link #passingThrough()} is the same transport for callers that can
 * take a large reply as it arrives ({@link PassThrough}).
 */
public final class LoopTransport implements Transport<ByteBuf, ByteBuf> {

  /** What the inspector would say of a reply passed through: its start showed a result. */
  private static final UpstreamReply RESULT = new UpstreamReply(true, true, null, null, false);

  private final EventLoop loop;
  private final long maxReplyBytes;
  private final long passThroughAbove;
  private final LongAdder passedThrough;
  private final Transport<ByteBuf, ByteBuf> passing;
  private final Deadlines deadlines;
  private final Function<ProviderConfig, ProviderConnections> newPool;
  /** Pools by provider configuration, the lookup on every request. */
  private final Map<ProviderConfig, ProviderConnections> byConfig = new IdentityHashMap<>();
  /**
   * Pools by where they connect: a reload hands out new configuration objects for the same
   * providers, which must find the pools they had.
   */
  private final Map<String, ProviderConnections> byEndpoint = new HashMap<>();
  /** Where a reply is copied to be inspected, when it is not in one heap array already. */
  private byte[] scratch = new byte[8192];

  LoopTransport(EventLoop loop, Function<ProviderConfig, ProviderConnections> newPool, long maxReplyBytes,
                long passThroughAbove, LongAdder passedThrough) {
    this.loop = loop;
    this.maxReplyBytes = maxReplyBytes;
    this.passThroughAbove = passThroughAbove;
    this.passedThrough = passedThrough;
    this.deadlines = new Deadlines(loop);
    this.newPool = newPool;
    this.passing = passThroughAbove > 0 ? new Passing() : this;
  }

  /**
   * This transport for requests whose reply may be passed through when it is large: the body of
   * such a reply is its start only ({@link PassThrough#of}). Its {@link #whole()} is this transport.
   */
  public Transport<ByteBuf, ByteBuf> passingThrough() {
    return passing;
  }

  public EventLoop loop() {
    return loop;
  }

  @Override
  public Cancellable send(ProviderConfig provider, ByteBuf payload, long timeoutNanos, AttemptListener<ByteBuf> listener) {
    return send(provider, payload, timeoutNanos, listener, Long.MAX_VALUE);
  }

  private Cancellable send(ProviderConfig provider, ByteBuf payload, long timeoutNanos,
                           AttemptListener<ByteBuf> listener, long passAbove) {
    ProviderConnections pool = byConfig.get(provider);
    if (pool == null) {
      pool = pool(provider);
    }
    Exchange exchange = new Exchange(pool, payload, listener, deadlines, passAbove, passedThrough);
    exchange.start(timeoutNanos);
    return exchange;
  }

  private ProviderConnections pool(ProviderConfig provider) {
    ProviderConnections pool = byEndpoint.computeIfAbsent(ProviderEndpoint.key(provider), k -> newPool.apply(provider));
    if (byConfig.size() > 4 * byEndpoint.size() + 16) {
      byConfig.clear(); // configurations replaced by reloads
    }
    byConfig.put(provider, pool);
    return pool;
  }

  @Override
  public long maxReplyBytes() {
    return maxReplyBytes;
  }

  @Override
  public Cancellable schedule(long delayNanos, Runnable task) {
    return deadlines.schedule(delayNanos, task);
  }

  @Override
  public UpstreamReply inspect(ByteBuf body) {
    if (body instanceof StreamHead) {
      return RESULT; // only a reply whose start shows a result is passed through
    }
    int n = body.readableBytes();
    if (body.hasArray()) {
      return ReplyInspector.inspect(body.array(), body.arrayOffset() + body.readerIndex(), n);
    }
    UpstreamReply reply = ReplyInspector.inspect(copied(body), 0, n);
    shrinkScratch();
    return reply;
  }

  @Override
  public long resultQuantity(ByteBuf body) {
    if (body instanceof StreamHead) {
      return -1; // a quantity is never that large
    }
    int n = body.readableBytes();
    if (body.hasArray()) {
      return ReplyInspector.resultQuantity(body.array(), body.arrayOffset() + body.readerIndex(), n);
    }
    long value = ReplyInspector.resultQuantity(copied(body), 0, n);
    shrinkScratch();
    return value;
  }

  /** The body's readable bytes in {@link #scratch}, from index 0. */
  private byte[] copied(ByteBuf body) {
    int n = body.readableBytes();
    if (scratch.length < n) {
      scratch = new byte[Math.max(n, scratch.length * 2)];
    }
    body.getBytes(body.readerIndex(), scratch, 0, n);
    return scratch;
  }

  private void shrinkScratch() {
    if (scratch.length > 1 << 20) {
      scratch = new byte[8192]; // do not keep a huge reply's worth of heap per loop
    }
  }

  @Override
  public void release(ByteBuf body) {
    body.release();
  }

  /** The same transport, with large replies passed through; everything but sending is the loop's. */
  private final class Passing implements Transport<ByteBuf, ByteBuf> {

    @Override
    public Cancellable send(ProviderConfig provider, ByteBuf payload, long timeoutNanos,
                            AttemptListener<ByteBuf> listener) {
      return LoopTransport.this.send(provider, payload, timeoutNanos, listener, passThroughAbove);
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
      return LoopTransport.this.schedule(delayNanos, task);
    }

    @Override
    public UpstreamReply inspect(ByteBuf body) {
      return LoopTransport.this.inspect(body);
    }

    @Override
    public long resultQuantity(ByteBuf body) {
      return LoopTransport.this.resultQuantity(body);
    }

    @Override
    public void release(ByteBuf body) {
      LoopTransport.this.release(body);
    }

    @Override
    public long maxReplyBytes() {
      return LoopTransport.this.maxReplyBytes();
    }

    @Override
    public Transport<ByteBuf, ByteBuf> whole() {
      return LoopTransport.this;
    }
  }

  /** Idle pooled connections to a provider from this loop (diagnostics, tests). */
  int idleConnections(String providerId) {
    int idle = 0;
    for (ProviderConnections pool : byEndpoint.values()) {
      if (pool.endpoint.id.equals(providerId)) {
        idle += pool.idleCount();
      }
    }
    return idle;
  }
}
