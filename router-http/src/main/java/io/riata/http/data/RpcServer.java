package io.riata.http.data;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.riata.core.engine.Dispatcher;
import io.riata.core.engine.LoopLagAdmission;
import io.riata.http.data.HttpSettings;
import io.riata.http.data.upstream.UpstreamClient;
import io.riata.http.ops.Health;
import io.riata.http.data.RouteResolver;
import io.riata.http.data.subs.Subscriptions;
import io.riata.http.data.WsSettings;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RPC port: JSON-RPC over HTTP/1.1 and WebSocket, {@code /health} and {@code /ready}, on the
 * data plane's event loops. Each connection's pipeline is one handler per concern: the HTTP codec
 * (with the header limit), the idle timeout, the header and body deadlines (408), and the exchange itself
 * ({@link HttpRpcHandler}: body limit, routing, CORS, gzip; replaced by {@link WsRpcHandler} on an
 * upgrade). A connection over the port's maximum gets {@link RefusedConnection} instead.
 */
public final class RpcServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RpcServer.class);

  private final Channel listener;
  private final ChannelGroup connections;
  private final RpcPlane plane;
  private final List<EventLoop> loops;

  /** WebSocket connections open on the RPC port now. */
  public int webSocketConnections() {
    return plane.wsConnections.get();
  }

  /** WebSocket connections refused (closed with 1013) since start because the node had its maximum. */
  public long webSocketsRefused() {
    return plane.wsRefused.sum();
  }

  /** Client connections (HTTP and WebSocket) open on the RPC port now. */
  public int connections() {
    return plane.connections.get();
  }

  /** Connections answered with 503 and closed at once since start because the port had its maximum. */
  public long connectionsRefused() {
    return plane.connectionsRefused.sum();
  }

  /** Requests answered with 408 since start because their line and headers arrived too slowly. */
  public long headerTimeouts() {
    return plane.headerTimeouts.sum();
  }

  /** Requests answered with 408 since start because their body arrived too slowly. */
  public long bodyTimeouts() {
    return plane.bodyTimeouts.sum();
  }

  /** Requests answered with 503 at intake since start because their event loop was behind. */
  public long shedOnLag() {
    return plane.shedOnLag.sum();
  }

  /** The most any event loop ran late since the last call, in nanoseconds; starts over. */
  public long takeMostLoopLag() {
    long most = 0;
    for (LoopLag lag : plane.lags()) {
      most = Math.max(most, lag.takeMost());
    }
    return most;
  }

  /** The least share of requests an event loop admits now: 1 unless one is behind. */
  public double admittedShare() {
    double least = 1;
    for (LoopLag lag : plane.lags()) {
      least = Math.min(least, lag.share());
    }
    return least;
  }

  /** The event loops serving this port (tests make one fall behind). */
  List<EventLoop> loops() {
    return loops;
  }

  private RpcServer(Channel listener, ChannelGroup connections, RpcPlane plane, List<EventLoop> loops) {
    this.listener = listener;
    this.connections = connections;
    this.plane = plane;
    this.loops = loops;
  }

  /**
   * @param lagAdmission admission on the event loops' lag ({@code riata.http.admission.loop-lag});
   *                     {@code null} when off
   */
  public static RpcServer bind(EventLoops loops, HttpSettings settings, WsSettings websocket, RouteResolver resolver,
                               Dispatcher dispatcher, UpstreamClient upstream, Health health,
                               Subscriptions subscriptions, LoopLagAdmission.Settings lagAdmission)
      throws InterruptedException {
    RpcPlane plane = new RpcPlane(settings, websocket, resolver, dispatcher, upstream, health, subscriptions,
        loops.loops(), lagAdmission);
    ChannelGroup connections = new DefaultChannelGroup("riata-rpc", GlobalEventExecutor.INSTANCE);
    HttpDecoderConfig decoding = new HttpDecoderConfig()
        .setMaxInitialLineLength(settings.maxHeaderBytes())
        .setMaxHeaderSize(settings.maxHeaderBytes())
        .setMaxChunkSize(64 * 1024);
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(loops.group())
        .channel(loops.serverChannel())
        // Connections the kernel completes before they are accepted: as many as it allows
        // (net.core.somaxconn). At 1024, 2,560 clients connecting at once overflowed it; the
        // dropped handshakes were retried by the clients 1 and 3 s later (p99 5.8 s).
        .option(ChannelOption.SO_BACKLOG, NetUtil.SOMAXCONN)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.SO_KEEPALIVE, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            connections.add(ch);
            ChannelPipeline p = ch.pipeline();
            if (!plane.admit(ch)) {
              p.addLast("encoder", new HttpResponseEncoder());
              p.addLast("refused", new RefusedConnection(settings.maxConnections()));
              return;
            }
            p.addLast("codec", new HttpServerCodec(decoding));
            // Reading only: watching writes too would hang a listener on every answer.
            p.addLast("idle", new IdleStateHandler(settings.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
            p.addLast("read-deadline", new ReadDeadline(settings.headerReadTimeout(), settings.bodyReadTimeout(),
                plane.headerTimeouts, plane.bodyTimeouts));
            p.addLast("http-rpc", new HttpRpcHandler(plane));
          }
        });
    Channel listener = bootstrap.bind(settings.host(), settings.port()).sync().channel();
    return new RpcServer(listener, connections, plane, loops.loops());
  }

  public int port() {
    return ((InetSocketAddress) listener.localAddress()).getPort();
  }

  public String host() {
    return ((InetSocketAddress) listener.localAddress()).getHostString();
  }

  /**
   * Stops taking connections, lets the requests in flight finish (an HTTP connection closes after
   * its current answer, an idle one at once, a WebSocket with 1001), and closes what is left
   * after {@code grace}.
   */
  public void drain(Duration grace) {
    listener.close().syncUninterruptibly();
    plane.draining = true;
    for (Channel ch : connections) {
      ch.eventLoop().execute(() -> {
        HttpRpcHandler http = ch.pipeline().get(HttpRpcHandler.class);
        if (http != null) {
          http.closeWhenIdle();
        } else if (ch.pipeline().get(WsRpcHandler.class) != null) {
          ch.writeAndFlush(new CloseWebSocketFrame(1001, "Riata is stopping")).addListener(f -> ch.close());
        } else {
          ch.close();
        }
      });
    }
    long until = System.nanoTime() + grace.toNanos();
    while (!connections.isEmpty() && System.nanoTime() < until) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (!connections.isEmpty()) {
      LOG.warn("{} client connection(s) still open {} s after the RPC port stopped; closing them",
          connections.size(), grace.toSeconds());
      connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() {
    listener.close().syncUninterruptibly();
    connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
  }
}
