package io.riata.http.data.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.concurrent.Future;
import io.riata.core.config.ProviderConfig;
import io.riata.core.config.Redaction;
import io.riata.http.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One {@code eth_subscribe} over a WebSocket to one provider, on one of the data plane's event
 * loops, with the upstream client's TLS context and host resolver. It connects to the provider's
 * {@code ws_url} (path and query as configured, the provider's headers on the upgrade request),
 * sends the subscribe request once upgraded, and reports what comes back: the answer to the
 * subscribe request to {@link Listener#onSubscribed}, each notification's {@code result} to
 * {@link Listener#onNotification}, and the end of the socket, whatever ended it (a failed lookup
 * or connect, a refused upgrade, a close frame, a reset, {@link #close()}), to
 * {@link Listener#onClosed}, exactly once.
 *
 * <p>{@link #close()} may be called from any thread; everything else, the listener's callbacks
 * included, happens on the socket's event loop, so a listener must not block.
 */
public final class UpstreamSocket {

  /** What a subscription hears from its socket, on the socket's event loop. */
  public interface Listener {
    /** The provider's answer to the subscribe request: its subscription id, or {@code null} for an error answer. */
    void onSubscribed(String upstreamId);

    /** One notification's {@code result}, as the provider sent it. */
    void onNotification(JsonNode result);

    /** The socket has ended, for {@code reason}; called once, and nothing is called after it. */
    void onClosed(String reason);
  }

  /** The JSON-RPC id of the subscribe request. */
  static final String REQUEST_ID = "riata-sub";

  private final UpstreamClient client;
  private final EventLoop loop;
  private final ProviderConfig provider;
  private final String subscribeRequest;
  private final Listener listener;
  private final URI url;
  private final String host;
  private final int port;
  private final boolean tls;

  // Only touched on the loop.
  private Channel channel;
  private UpstreamSocketHandler handler;
  private Future<?> upgradeTimer;
  private boolean upgraded;
  /** Why the socket ends: the first cause seen wins; {@code null} while it lives. */
  private String endReason;
  private boolean reported;

  UpstreamSocket(UpstreamClient client, EventLoop loop, ProviderConfig provider, String subscribeParamsJson,
                 Listener listener) {
    this.client = client;
    this.loop = loop;
    this.provider = provider;
    this.listener = listener;
    this.subscribeRequest = "{\"jsonrpc\":\"2.0\",\"id\":\"" + REQUEST_ID + "\",\"method\":\"eth_subscribe\",\"params\":"
        + subscribeParamsJson + "}";
    this.url = provider.wsUrl();
    String scheme = url == null || url.getScheme() == null ? "" : url.getScheme();
    this.tls = scheme.equalsIgnoreCase("wss") || scheme.equalsIgnoreCase("https");
    this.host = url == null ? null : url.getHost();
    this.port = url == null ? -1 : url.getPort() > 0 ? url.getPort() : tls ? 443 : 80;
  }

  void open() {
    try {
      loop.execute(this::start);
    } catch (RejectedExecutionException shuttingDown) {
      reported = true; // the loop is gone, so nothing else can run for this socket
      listener.onClosed("the data plane is shutting down");
    }
  }

  /**
   * Ends the socket: a close frame (1000) when it is upgraded, then the connection is closed.
   * {@link Listener#onClosed} follows (once) unless the socket had ended already. Any thread.
   */
  public void close() {
    if (loop.inEventLoop()) {
      closeNow();
      return;
    }
    try {
      loop.execute(this::closeNow);
    } catch (RejectedExecutionException shuttingDown) {
      // the loop and its connections are going away anyway
    }
  }

  private void closeNow() {
    if (endReason != null || reported) {
      return; // ending or ended already
    }
    endReason = "closed by Riata";
    if (channel == null) {
      report(); // still looking the host up
    } else if (upgraded) {
      handler.closeNormally(channel);
    } else {
      channel.close();
    }
  }

  private void start() {
    if (endReason != null) {
      return; // closed before it started (already reported)
    }
    if (url == null || host == null) {
      end("provider " + provider.id() + " has no usable ws_url");
      return;
    }
    WebSocketClientHandshaker handshaker;
    try {
      handshaker = handshaker();
    } catch (RuntimeException badConfiguration) {
      end("cannot build the upgrade request: " + describe(badConfiguration));
      return;
    }
    handler = new UpstreamSocketHandler(this, handshaker);
    InetAddress known = client.resolver().now(host);
    if (known != null) {
      connect(known);
      return;
    }
    client.resolver().lookUp(host).whenComplete((address, failure) -> {
      try {
        loop.execute(() -> {
          if (failure != null) {
            end("cannot resolve " + host + ": " + describe(failure.getCause() != null ? failure.getCause() : failure));
          } else {
            connect(address);
          }
        });
      } catch (RejectedExecutionException shuttingDown) {
        // nothing left to report on
      }
    });
  }

  private WebSocketClientHandshaker handshaker() {
    HttpHeaders headers = new DefaultHttpHeaders();
    headers.set(HttpHeaderNames.USER_AGENT, "riata");
    for (Map.Entry<String, String> h : provider.headers().entrySet()) {
      headers.set(h.getKey(), h.getValue());
    }
    int max = client.settings().maxResponseBytes();
    // No Origin header (a provider may check it against an allow list; Riata is no browser), no
    // extensions, frames masked as a client's must be, no forced close (the socket closes itself).
    return WebSocketClientHandshakerFactory.newHandshaker(url, WebSocketVersion.V13, null, false, headers, max,
        true, false, -1, false, false);
  }

  private void connect(InetAddress address) {
    if (endReason != null) {
      return; // closed while the host was looked up (already reported)
    }
    UpstreamSettings settings = client.settings();
    Bootstrap bootstrap = client.bootstrap(loop)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ChannelPipeline p = ch.pipeline();
            if (tls) {
              p.addLast("tls", UpstreamTls.newHandler(client.tls(), ch.alloc(), host, port));
            }
            p.addLast("http", new HttpClientCodec());
            p.addLast("http-aggregator", new HttpObjectAggregator(settings.maxResponseBytes()));
            p.addLast("socket", handler);
          }
        });
    ChannelFuture connecting = bootstrap.connect(new InetSocketAddress(address, port));
    channel = connecting.channel();
    connecting.addListener(f -> {
      if (!f.isSuccess()) {
        end("connect failed: " + describe(f.cause()));
      } else if (endReason == null) {
        long limit = settings.socketHandshakeTimeout().toMillis();
        upgradeTimer = loop.schedule(() -> {
          if (!upgraded) {
            end("no WebSocket upgrade within " + limit + " ms");
          }
        }, limit, TimeUnit.MILLISECONDS);
      }
    });
    // Reported a task later, so that the cause being handled while the connection closes (an
    // exception, a close frame) has been recorded first.
    channel.closeFuture().addListener(f -> {
      try {
        loop.execute(this::report);
      } catch (RejectedExecutionException shuttingDown) {
        report();
      }
    });
  }

  /** The upgrade went through: send the subscribe request. */
  void onUpgraded(Channel ch) {
    upgraded = true;
    if (upgradeTimer != null) {
      upgradeTimer.cancel(false);
    }
    if (endReason == null) {
      ch.writeAndFlush(new TextWebSocketFrame(subscribeRequest)).addListener(f -> {
        if (!f.isSuccess()) {
          end("could not send the subscribe request: " + describe(f.cause()));
        }
      });
    }
  }

  /** A whole text message (the buffer stays the caller's). */
  void onText(ByteBuf text) {
    if (endReason != null || reported) {
      return; // ending: nothing more goes to the listener but the end
    }
    JsonNode node;
    try (InputStream in = new ByteBufInputStream(text.duplicate())) {
      node = Json.MAPPER.readTree(in);
    } catch (IOException | RuntimeException unreadable) {
      return; // a feed's stall check covers a provider that only sends garbage
    }
    if (node == null) {
      return;
    }
    if ("eth_subscription".equals(node.path("method").asText())) {
      JsonNode result = node.path("params").path("result");
      if (result.isObject()) {
        listener.onNotification(result);
      }
    } else if (REQUEST_ID.equals(node.path("id").asText())) {
      listener.onSubscribed(node.path("result").isTextual() ? node.path("result").asText() : null);
    }
  }

  /**
   * Records why the socket ends, unless a cause is known already; the connection is closed by the
   * caller. Reasons quote exception messages and the provider's close text, which may hold the
   * URL or a key, and they reach logs and subscribers: the provider's secrets are scrubbed.
   */
  void ending(String reason) {
    if (endReason == null) {
      endReason = Redaction.scrub(reason, provider);
    }
  }

  /** Ends the socket for {@code reason} (unless it is ending for another already). */
  void end(String reason) {
    ending(reason);
    if (channel == null) {
      report();
    } else {
      channel.close();
    }
  }

  boolean upgraded() {
    return upgraded;
  }

  int maxMessageBytes() {
    return client.settings().maxResponseBytes();
  }

  private void report() {
    if (reported) {
      return;
    }
    reported = true;
    if (upgradeTimer != null) {
      upgradeTimer.cancel(false);
    }
    listener.onClosed(endReason != null ? endReason
        : upgraded ? "connection closed without a close frame" : "connection closed before the upgrade");
  }

  /** A failure's message for a reason, with a decoder's wrapping taken off. */
  static String describe(Throwable cause) {
    Throwable t = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    String message = t.getMessage();
    return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
  }
}
