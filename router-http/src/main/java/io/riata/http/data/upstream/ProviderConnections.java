package io.riata.http.data.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The keep-alive connections from one event loop to one provider. Only that event loop touches
 * it, so it needs no lock. The most recently used idle connection goes out first, so when traffic
 * drops the others stay idle long enough to be closed by the idle timeout.
 */
final class ProviderConnections {

  /** Status line and headers of a provider's answer, at most. */
  static final int MAX_HEAD_BYTES = 64 * 1024;

  final ProviderEndpoint endpoint;
  final EventLoop loop;
  private final Bootstrap bootstrap;
  private final ArrayDeque<Channel> idle = new ArrayDeque<>();
  private final HostResolver resolver;

  ProviderConnections(ProviderEndpoint endpoint, EventLoop loop, Bootstrap bootstrap,
                      HostResolver resolver, SslContext tls, UpstreamSettings settings) {
    this.endpoint = endpoint;
    this.loop = loop;
    this.resolver = resolver;
    this.bootstrap = bootstrap.handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ChannelPipeline p = ch.pipeline();
            if (endpoint.tls) {
              p.addLast("tls", UpstreamTls.newHandler(tls, ch.alloc(), endpoint));
            }
            // Reading only: an idle pooled connection receives nothing; watching writes would cost a listener per request.
            p.addLast("idle", new IdleStateHandler(settings.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
            UpstreamResponseDecoder decoder = new UpstreamResponseDecoder(MAX_HEAD_BYTES, settings.maxResponseBytes());
            p.addLast("decoder", decoder);
            p.addLast("exchange", new UpstreamHandler(decoder));
          }
        });
  }

  /** An open idle connection, or {@code null} when a new one is needed. */
  Channel takeIdle() {
    Channel ch;
    while ((ch = idle.pollLast()) != null) {
      if (ch.isActive()) {
        return ch;
      }
    }
    return null;
  }

  void giveBack(Channel ch) {
    if (ch.isActive()) {
      idle.addLast(ch);
    }
  }

  /** Opens a connection; the promise fails with {@link java.net.UnknownHostException} when the host has no address. */
  Future<Channel> connect() {
    Promise<Channel> connected = loop.newPromise();
    InetAddress known = resolver.now(endpoint.host);
    if (known != null) {
      connect(known, connected);
    } else {
      resolver.lookUp(endpoint.host).whenComplete((address, failure) -> loop.execute(() -> {
        if (failure != null) {
          connected.tryFailure(failure.getCause() != null ? failure.getCause() : failure);
        } else {
          connect(address, connected);
        }
      }));
    }
    return connected;
  }

  private void connect(InetAddress address, Promise<Channel> connected) {
    if (connected.isDone()) {
      return; // given up on meanwhile
    }
    ChannelFuture connecting = bootstrap.connect(new InetSocketAddress(address, endpoint.port));
    Channel ch = connecting.channel();
    ch.closeFuture().addListener(closed -> idle.remove(ch));
    connected.addListener(f -> {
      if (f.isCancelled()) {
        ch.close();
      }
    });
    connecting.addListener(f -> {
      if (f.isSuccess()) {
        if (!connected.trySuccess(ch)) {
          ch.close();
        }
      } else {
        connected.tryFailure(f.cause());
      }
    });
  }

  int idleCount() {
    return idle.size();
  }
}
