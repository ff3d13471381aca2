package io.riata.http.data.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.riata.core.config.ProviderConfig;
import io.riata.core.engine.AttemptListener;
import io.riata.core.engine.TransportException;
import io.riata.core.engine.TransportFailure;
import io.riata.http.data.EventLoops;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The node's one HTTP client towards providers, on the data plane's event loops: for each event
 * loop a {@link LoopTransport} with keep-alive connections per provider, so an attempt made for a
 * client connection stays on that connection's thread. Host names are resolved off the event
 * loops ({@link HostResolver}); {@code https} providers get TLS with SNI and host-name checks.
 * The subscription feeds' WebSockets ({@link UpstreamSocket}) use the same loops, TLS and resolver.
 */
public final class UpstreamClient {

  private final EventLoops loops;
  private final UpstreamSettings settings;
  private final SslContext tls;
  private final HostResolver resolver = new HostResolver(Duration.ofSeconds(30));
  private final Map<EventLoop, LoopTransport> transports = new IdentityHashMap<>();
  private final Map<String, ProviderEndpoint> endpoints = new ConcurrentHashMap<>();
  private final LongAdder passedThrough = new LongAdder();

  public UpstreamClient(EventLoops loops, UpstreamSettings settings) {
    this.loops = loops;
    this.settings = settings;
    this.tls = UpstreamTls.clientContext(settings.trustedCertificates());
    for (EventLoop loop : loops.loops()) {
      transports.put(loop, new LoopTransport(loop, provider -> new ProviderConnections(endpoint(provider), loop,
          bootstrap(loop), resolver, tls, settings), settings.maxResponseBytes(), settings.passThroughAbove(),
          passedThrough));
    }
  }

  /** Replies passed to their clients as they arrived rather than held whole, since the start. */
  public long passedThrough() {
    return passedThrough.sum();
  }

  public UpstreamSettings settings() {
    return settings;
  }

  public EventLoops loops() {
    return loops;
  }

  /** The TLS context for {@code https}/{@code wss} providers (shared with the upstream sockets). */
  public SslContext tls() {
    return tls;
  }

  HostResolver resolver() {
    return resolver;
  }

  /** A connection towards a provider from {@code loop}: no Nagle delay, TCP keep-alive, the connect timeout. */
  Bootstrap bootstrap(EventLoop loop) {
    return new Bootstrap()
        .group(loop)
        .channel(loops.socketChannel())
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.SO_KEEPALIVE, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, settings.connectTimeout().toMillis()));
  }

  /** The transport of {@code loop}, one of this client's event loops. */
  public LoopTransport on(EventLoop loop) {
    LoopTransport t = transports.get(loop);
    if (t == null) {
      throw new IllegalArgumentException("not one of the data plane's event loops: " + loop);
    }
    return t;
  }

  /** The transport of the next event loop in turn, for work that comes from elsewhere. */
  public LoopTransport any() {
    return on((EventLoop) loops.group().next());
  }

  private ProviderEndpoint endpoint(ProviderConfig provider) {
    return endpoints.computeIfAbsent(ProviderEndpoint.key(provider), k -> new ProviderEndpoint(provider));
  }

  /**
   * One request to one provider for a caller that is not on an event loop (head probes): no
   * concurrency permit, no failover. Completes with the answer copied to the heap, or fails with
   * {@link TransportException}.
   */
  public CompletableFuture<UpstreamResponse> call(ProviderConfig provider, byte[] body, Duration timeout) {
    CompletableFuture<UpstreamResponse> result = new CompletableFuture<>();
    LoopTransport transport = any();
    ByteBuf payload = Unpooled.wrappedBuffer(body);
    transport.loop().execute(() -> transport.send(provider, payload, timeout.toNanos(), new AttemptListener<>() {
      @Override
      public void onReply(int status, String retryAfter, ByteBuf reply) {
        byte[] bytes = ByteBufUtil.getBytes(reply);
        reply.release();
        result.complete(new UpstreamResponse(status, bytes, retryAfter));
      }

      @Override
      public void onFailure(TransportFailure failure) {
        result.completeExceptionally(new TransportException(failure));
      }
    }));
    return result;
  }

  /**
   * Opens a WebSocket to {@code provider}'s {@code ws_url} on one of the data plane's event loops
   * and subscribes there with {@code subscribeParamsJson}, the {@code eth_subscribe} params array
   * (e.g. {@code ["newHeads"]}). Returns at once; what follows goes to {@code listener}.
   */
  public UpstreamSocket openSocket(ProviderConfig provider, String subscribeParamsJson, UpstreamSocket.Listener listener) {
    UpstreamSocket socket = new UpstreamSocket(this, loops.group().next(), provider, subscribeParamsJson,
        listener);
    socket.open();
    return socket;
  }

  public void close() {
    resolver.close();
  }
}
