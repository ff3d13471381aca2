package io.riata.http.data;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import io.riata.core.engine.Dispatcher;
import io.riata.core.engine.LoopLagAdmission;
import io.riata.http.data.HttpSettings;
import io.riata.http.data.upstream.LoopTransport;
import io.riata.http.data.upstream.UpstreamClient;
import io.riata.http.ops.Health;
import io.riata.http.data.RouteResolver;
import io.riata.http.data.subs.Subscriptions;
import io.riata.http.data.WsSettings;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What every connection of the RPC port shares: routes, the dispatcher and engine, the upstream
 * transports per event loop, limits, CORS, health and the subscription feeds. Thread-safe; a
 * connection's own state lives in its handlers.
 */
final class RpcPlane {

  /** Routes looked up at most this many distinct paths at once; past it the cache starts over. */
  private static final int ROUTE_CACHE = 1024;

  final HttpSettings settings;
  final WsSettings websocket;
  final Dispatcher dispatcher;
  final UpstreamClient upstream;
  final Health health;
  final Subscriptions subscriptions;
  final Cors cors;
  /** The node is stopping: HTTP connections close after their current answer. */
  volatile boolean draining;
  /** WebSocket connections open on this node's RPC port (see {@code websocket.max-connections}). */
  final AtomicInteger wsConnections = new AtomicInteger();
  /** WebSocket connections closed with 1013 at once because the node had its maximum. */
  final LongAdder wsRefused = new LongAdder();
  /** Client connections open on the RPC port, HTTP and WebSocket (see {@code limits.max-connections}). */
  final AtomicInteger connections = new AtomicInteger();
  /** Connections answered with 503 and closed at once because the port had its maximum. */
  final LongAdder connectionsRefused = new LongAdder();
  /** Requests answered with 408 because their headers, or their body, arrived too slowly. */
  final LongAdder headerTimeouts = new LongAdder();
  final LongAdder bodyTimeouts = new LongAdder();
  /** Requests answered with 503 at intake because their event loop was behind ({@link LoopLag}). */
  final LongAdder shedOnLag = new LongAdder();
  /** Each event loop's lag probe and admission; filled before the port is bound, read-only after. */
  private final Map<EventLoop, LoopLag> lags = new IdentityHashMap<>();
  private final ChannelFutureListener connectionClosed = f -> connections.decrementAndGet();
  private final RouteResolver resolver;
  private final ConcurrentHashMap<String, RouteResolver.Route> routes = new ConcurrentHashMap<>();
  private volatile Object routesOf;
  private final FastThreadLocal<byte[]> scratch = new FastThreadLocal<>() {
    @Override
    protected byte[] initialValue() {
      return new byte[16 * 1024];
    }
  };

  /**
   * @param lagAdmission admission on each event loop's lag; {@code null} when off (the lag is
   *                     still measured)
   */
  RpcPlane(HttpSettings settings, WsSettings websocket, RouteResolver resolver, Dispatcher dispatcher,
           UpstreamClient upstream, Health health, Subscriptions subscriptions, List<EventLoop> loops,
           LoopLagAdmission.Settings lagAdmission) {
    this.settings = settings;
    this.websocket = websocket;
    this.resolver = resolver;
    this.dispatcher = dispatcher;
    this.upstream = upstream;
    this.health = health;
    this.subscriptions = subscriptions;
    this.cors = new Cors(settings.corsOrigins(), settings.corsMaxAge());
    for (EventLoop loop : loops) {
      lags.put(loop, new LoopLag(loop, lagAdmission == null ? null : new LoopLagAdmission(lagAdmission)));
    }
    lags.values().forEach(LoopLag::start);
  }

  /** The lag probe and admission of {@code loop}, one of the data plane's event loops. */
  LoopLag lag(EventLoop loop) {
    LoopLag lag = lags.get(loop);
    if (lag == null) {
      throw new IllegalArgumentException("not one of the data plane's event loops: " + loop);
    }
    return lag;
  }

  /** Every event loop's lag probe. */
  Iterable<LoopLag> lags() {
    return lags.values();
  }

  /**
   * Counts a new client connection in, or refuses it when the port has its maximum already (a
   * refused one is not counted: it is answered and closed at once). Once per connection.
   */
  boolean admit(Channel ch) {
    if (connections.incrementAndGet() > settings.maxConnections()) {
      connections.decrementAndGet();
      connectionsRefused.increment();
      return false;
    }
    ch.closeFuture().addListener(connectionClosed);
    return true;
  }

  /**
   * Where {@code path} (after {@code /rpc} or {@code /ws/rpc}) sends requests. Cached per path
   * until the configuration is reloaded.
   */
  RouteResolver.Route route(String path) {
    Object configuration = resolver.configuration();
    if (routesOf != configuration) {
      routes.clear();
      routesOf = configuration;
    }
    RouteResolver.Route route = routes.get(path);
    if (route == null) {
      route = resolver.resolve(path);
      if (routes.size() >= ROUTE_CACHE) {
        routes.clear();
      }
      routes.put(path, route);
    }
    return route;
  }

  LoopTransport transport(EventLoop loop) {
    return upstream.on(loop);
  }

  /** A buffer of at least {@code n} bytes, this thread's own, for parsing one message. */
  byte[] scratch(int n) {
    byte[] b = scratch.get();
    if (b.length < n) {
      b = new byte[Math.max(n, b.length * 2)];
      scratch.set(b);
    } else if (b.length > (1 << 20) && n < (1 << 14)) {
      b = new byte[16 * 1024]; // after a huge body, do not keep megabytes per thread
      scratch.set(b);
    }
    return b;
  }
}
