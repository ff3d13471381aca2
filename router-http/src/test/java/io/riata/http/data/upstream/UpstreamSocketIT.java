package io.riata.http.data.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.riata.core.config.ProviderConfig;
import io.riata.http.data.EventLoops;
import io.riata.http.Json;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import io.riata.core.engine.ConcurrencyLimiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * The subscription socket against a WebSocket server made here (Netty, 127.0.0.1), whose path
 * says what it does once it has the subscribe request: answer and notify, refuse, close, die,
 * stay quiet, send fragments or too much. Whatever ends a socket, its listener hears it once, on
 * the event loop, and hears nothing after it. Netty's leak detector runs at {@code paranoid}
 * throughout, and a leak it reports fails the class.
 */
class UpstreamSocketIT {

  /** The largest message (and frame) the client reads in these tests. */
  private static final int MAX_MESSAGE = 16 * 1024;
  private static final long WAIT_SECONDS = 10;

  @TempDir
  static Path dir;

  private static ResourceLeakDetector.Level leakLevelBefore;
  private static ListAppender<ILoggingEvent> leaks;
  private static EventLoops loops;
  private static EventLoopGroup serverLoop;
  private static UpstreamClient client;

  private Provider provider;

  @BeforeAll
  static void start() {
    leakLevelBefore = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    leaks = new ListAppender<>();
    leaks.start();
    leakLogger().addAppender(leaks);
    loops = EventLoops.start(1);
    serverLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    client = client(Duration.ofSeconds(5), null);
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    loops.close();
    serverLoop.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    try {
      // A leaked buffer is reported when the detector, tracking a new one, finds it collected.
      for (int round = 0; round < 5; round++) {
        System.gc();
        Thread.sleep(50);
        for (int i = 0; i < 100; i++) {
          PooledByteBufAllocator.DEFAULT.directBuffer(64).release();
          Unpooled.buffer(64).release();
        }
      }
      List<String> reported = leaks.list.stream().map(ILoggingEvent::getFormattedMessage)
          .filter(m -> m.contains("LEAK")).toList();
      assertTrue(reported.isEmpty(), "Netty reported leaks: " + reported);
    } finally {
      leakLogger().detachAppender(leaks);
      ResourceLeakDetector.setLevel(leakLevelBefore);
    }
  }

  private static Logger leakLogger() {
    return (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
  }

  private static UpstreamClient client(Duration handshakeTimeout, Path trustedCas) {
    return new UpstreamClient(loops, new UpstreamSettings(Duration.ofSeconds(2), ConcurrencyLimiter.Settings.fixed(8), Duration.ofSeconds(1), MAX_MESSAGE, 0,
        Duration.ofSeconds(30), trustedCas, handshakeTimeout));
  }

  @BeforeEach
  void startProvider() throws Exception {
    provider = new Provider(null);
  }

  @AfterEach
  void stopProvider() {
    provider.close();
  }

  @Test
  void subscribesWithTheProvidersPathQueryAndHeadersAndReceivesNotifications() throws Exception {
    Recorder rec = new Recorder();
    UpstreamSocket socket = client.openSocket(providerAt(provider.url("/ws/notify?key=k1&n=3"),
        Map.of("X-Api-Key", "secret")), "[\"newHeads\"]", rec);

    assertEquals("0xfeed", rec.subscribed.get(WAIT_SECONDS, TimeUnit.SECONDS));
    for (int n = 1; n <= 3; n++) {
      assertEquals("0x" + n, rec.nextNotification().path("number").asText());
    }
    assertEquals("/ws/notify?key=k1&n=3", provider.upgradeUri);
    assertEquals("secret", provider.upgradeHeaders.get("X-Api-Key"));
    assertEquals("riata", provider.upgradeHeaders.get(HttpHeaderNames.USER_AGENT));
    assertFalse(provider.upgradeHeaders.contains(HttpHeaderNames.ORIGIN), "Riata is no browser: no Origin header");
    JsonNode request = Json.MAPPER.readTree(provider.awaitEvent("text ").substring("text ".length()));
    assertEquals("eth_subscribe", request.path("method").asText());
    assertEquals("riata-sub", request.path("id").asText());
    assertEquals("[\"newHeads\"]", request.path("params").toString());
    assertEquals("pong are-you-there", provider.awaitEvent("pong "), "a ping is answered with its payload");

    socket.close();
    assertEquals("closed by Riata", rec.awaitClosed());
    rec.assertReportedOnce();
  }

  @Test
  void anErrorAnswerToTheSubscribeRequestIsReportedWithoutAnId() throws Exception {
    Recorder rec = new Recorder();
    UpstreamSocket socket = client.openSocket(providerAt(provider.url("/ws/refuse"), Map.of()), "[\"newHeads\"]", rec);

    assertNull(rec.subscribed.get(WAIT_SECONDS, TimeUnit.SECONDS));
    socket.close();
    rec.awaitClosed();
    rec.assertReportedOnce();
  }

  @Test
  void aRefusedUpgradeIsReportedOnceWithItsStatus() throws Exception {
    Recorder rec = new Recorder();
    client.openSocket(providerAt(provider.url("/not-a-socket"), Map.of()), "[\"newHeads\"]", rec);

    String reason = rec.awaitClosed();
    assertTrue(reason.contains("404"), reason);
    rec.assertReportedOnce();
    assertFalse(rec.subscribed.isDone());
  }

  @Test
  void aCloseFrameFromTheProviderIsAnsweredAndReportedOnce() throws Exception {
    Recorder rec = new Recorder();
    client.openSocket(providerAt(provider.url("/ws/close"), Map.of()), "[\"newHeads\"]", rec);

    String reason = rec.awaitClosed();
    assertTrue(reason.contains("1001") && reason.contains("going away"), reason);
    assertEquals("close 1001", provider.awaitEvent("close "), "the close frame goes back to the provider");
    rec.assertReportedOnce();
  }

  @Test
  void aProviderThatDropsTheConnectionWithoutACloseFrameIsReportedOnce() throws Exception {
    Recorder rec = new Recorder();
    client.openSocket(providerAt(provider.url("/ws/die"), Map.of()), "[\"newHeads\"]", rec);

    assertEquals("0x1", rec.nextNotification().path("number").asText());
    String reason = rec.awaitClosed();
    assertFalse(reason.isBlank());
    rec.assertReportedOnce();
  }

  @Test
  void aRefusedConnectionIsReportedOnce() throws Exception {
    int port;
    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = closed.getLocalPort();
    }
    Recorder rec = new Recorder();
    client.openSocket(providerAt(URI.create("ws://127.0.0.1:" + port + "/ws"), Map.of()), "[\"newHeads\"]", rec);

    String reason = rec.awaitClosed();
    assertTrue(reason.startsWith("connect failed"), reason);
    rec.assertReportedOnce();
  }

  @Test
  void anUpgradeThatNeverComesIsGivenUp() throws Exception {
    UpstreamClient impatient = client(Duration.ofMillis(300), null);
    // The kernel completes the TCP handshake for the backlog; nobody ever reads the request.
    try (ServerSocket silent = new ServerSocket(0, 4, InetAddress.getByName("127.0.0.1"))) {
      Recorder rec = new Recorder();
      impatient.openSocket(providerAt(URI.create("ws://127.0.0.1:" + silent.getLocalPort() + "/ws"), Map.of()),
          "[\"newHeads\"]", rec);

      String reason = rec.awaitClosed();
      assertTrue(reason.contains("no WebSocket upgrade"), reason);
      rec.assertReportedOnce();
    } finally {
      impatient.close();
    }
  }

  @Test
  void closeFromAnotherThreadSendsACloseFrameAndIsReportedOnce() throws Exception {
    Recorder rec = new Recorder();
    UpstreamSocket socket = client.openSocket(providerAt(provider.url("/ws/quiet"), Map.of()), "[\"newHeads\"]", rec);
    assertEquals("0xfeed", rec.subscribed.get(WAIT_SECONDS, TimeUnit.SECONDS));

    Thread closer = new Thread(() -> {
      socket.close();
      socket.close();
    });
    closer.start();
    closer.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));

    assertEquals("closed by Riata", rec.awaitClosed());
    assertEquals("close 1000", provider.awaitEvent("close "));
    socket.close();
    rec.assertReportedOnce();
  }

  @Test
  void aFragmentedMessageIsAssembledAroundAPing() throws Exception {
    Recorder rec = new Recorder();
    UpstreamSocket socket = client.openSocket(providerAt(provider.url("/ws/fragments"), Map.of()), "[\"newHeads\"]", rec);

    JsonNode head = rec.nextNotification();
    assertEquals("0x7", head.path("number").asText());
    assertEquals(Provider.LONG_TEXT, head.path("extraData").asText());
    assertEquals("pong are-you-there", provider.awaitEvent("pong "));
    socket.close();
    rec.awaitClosed();
    rec.assertReportedOnce();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/ws/huge-frame", "/ws/huge-fragments"})
  void aMessageOverTheLimitEndsTheSocket(String path) throws Exception {
    Recorder rec = new Recorder();
    client.openSocket(providerAt(provider.url(path), Map.of()), "[\"newHeads\"]", rec);

    String reason = rec.awaitClosed();
    assertTrue(reason.contains("over " + MAX_MESSAGE + " bytes"), reason);
    assertTrue(rec.notifications.isEmpty());
    rec.assertReportedOnce();
  }

  @Test
  void wssTrustsTheConfiguredCaAndChecksTheCertificate() throws Exception {
    Path ca = selfSignedCertificate();
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(dir.resolve("provider.p12"))) {
      keys.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, "changeit".toCharArray());
    UpstreamClient trusting = client(Duration.ofSeconds(5), ca);
    try (Provider tlsProvider = new Provider(SslContextBuilder.forServer(kmf).build())) {
      URI url = URI.create(tlsProvider.url("/ws/notify?n=1").toString().replace("ws://", "wss://"));

      Recorder rec = new Recorder();
      UpstreamSocket socket = trusting.openSocket(providerAt(url, Map.of()), "[\"newHeads\"]", rec);
      assertEquals("0xfeed", rec.subscribed.get(WAIT_SECONDS, TimeUnit.SECONDS));
      assertEquals("0x1", rec.nextNotification().path("number").asText());
      socket.close();
      rec.awaitClosed();
      rec.assertReportedOnce();

      Recorder untrusted = new Recorder();
      client.openSocket(providerAt(url, Map.of()), "[\"newHeads\"]", untrusted);
      String reason = untrusted.awaitClosed();
      assertTrue(reason.startsWith("TLS handshake failed"), reason);
      untrusted.assertReportedOnce();
    } finally {
      trusting.close();
    }
  }

  /** A key pair for 127.0.0.1 in {@code provider.p12}; returns its certificate as PEM, the CA to trust. */
  private static Path selfSignedCertificate() throws Exception {
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Path store = dir.resolve("provider.p12");
    Path pem = dir.resolve("provider.pem");
    run(keytool, "-genkeypair", "-alias", "provider", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
        "-keystore", store.toString(), "-storepass", "changeit", "-keypass", "changeit");
    run(keytool, "-exportcert", "-rfc", "-alias", "provider", "-keystore", store.toString(),
        "-storepass", "changeit", "-file", pem.toString());
    return pem;
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("keytool did not finish");
    }
    assertEquals(0, p.exitValue(), output);
  }

  private static ProviderConfig providerAt(URI wsUrl, Map<String, String> headers) {
    return new ProviderConfig("p1", URI.create("http://127.0.0.1:1/"), wsUrl, 1, 1, false, Set.of(), Set.of(), null,
        headers, 8);
  }

  /** What a listener heard, and whether it heard it right: on the event loop, the end once and last. */
  private static final class Recorder implements UpstreamSocket.Listener {
    final CompletableFuture<String> subscribed = new CompletableFuture<>();
    final BlockingQueue<JsonNode> notifications = new LinkedBlockingQueue<>();
    final CompletableFuture<String> closed = new CompletableFuture<>();
    final AtomicInteger closes = new AtomicInteger();
    final AtomicBoolean offLoop = new AtomicBoolean();
    final AtomicBoolean afterClose = new AtomicBoolean();

    @Override
    public void onSubscribed(String upstreamId) {
      heard();
      subscribed.complete(upstreamId);
    }

    @Override
    public void onNotification(JsonNode result) {
      heard();
      notifications.add(result);
    }

    @Override
    public void onClosed(String reason) {
      heard();
      closes.incrementAndGet();
      closed.complete(reason);
    }

    private void heard() {
      if (loops.loops().stream().noneMatch(EventLoop::inEventLoop)) {
        offLoop.set(true);
      }
      if (closed.isDone()) {
        afterClose.set(true);
      }
    }

    JsonNode nextNotification() throws InterruptedException {
      JsonNode n = notifications.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      assertTrue(n != null, "no notification");
      return n;
    }

    String awaitClosed() throws Exception {
      return closed.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** After the end was heard and whatever was queued behind it on the loop has run. */
    void assertReportedOnce() throws Exception {
      for (int i = 0; i < 3; i++) {
        for (EventLoop loop : loops.loops()) {
          loop.submit(() -> { }).get(WAIT_SECONDS, TimeUnit.SECONDS);
        }
      }
      assertEquals(1, closes.get(), "onClosed calls");
      assertFalse(afterClose.get(), "a callback after onClosed");
      assertFalse(offLoop.get(), "a callback off the event loop");
    }
  }

  /**
   * A provider's WebSocket end, on 127.0.0.1. Under {@code /ws/...} it upgrades and, once it has
   * the subscribe request, does what the path says; elsewhere it answers 404. It notes what it
   * receives (the subscribe request, pongs, close frames) as events.
   */
  private static final class Provider implements AutoCloseable {

    static final String LONG_TEXT = "0x" + "ab".repeat(3000);
    private static final String SUBSCRIBED = "{\"jsonrpc\":\"2.0\",\"id\":\"riata-sub\",\"result\":\"0xfeed\"}";

    final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    final Channel listening;
    volatile String upgradeUri;
    volatile HttpHeaders upgradeHeaders;

    Provider(SslContext tls) throws InterruptedException {
      listening = new ServerBootstrap()
          .group(serverLoop)
          .channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              connections.add(ch);
              if (tls != null) {
                ch.pipeline().addLast(tls.newHandler(ch.alloc()));
              }
              ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024),
                  new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                      .websocketPath("/ws").checkStartsWith(true).handleCloseFrames(false).dropPongFrames(false)
                      .build()),
                  new Script());
            }
          })
          .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    URI url(String pathAndQuery) {
      return URI.create("ws://127.0.0.1:" + ((InetSocketAddress) listening.localAddress()).getPort() + pathAndQuery);
    }

    /** The next event starting with {@code prefix}; the others before it are skipped. */
    String awaitEvent(String prefix) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
      while (System.nanoTime() < deadline) {
        String e = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (e != null && e.startsWith(prefix)) {
          return e;
        }
      }
      throw new AssertionError("the provider saw no " + prefix.strip() + "; it saw " + new ArrayList<>(events));
    }

    @Override
    public void close() {
      listening.close().syncUninterruptibly();
      connections.close().syncUninterruptibly();
    }

    private final class Script extends ChannelInboundHandlerAdapter {
      private String path = "";

      @Override
      public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete done) {
          upgradeUri = done.requestUri();
          upgradeHeaders = done.requestHeaders().copy();
          path = URI.create(done.requestUri()).getPath();
        }
        ctx.fireUserEventTriggered(evt);
      }

      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
          if (msg instanceof FullHttpRequest) {
            FullHttpResponse notFound = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND,
                Unpooled.copiedBuffer("no socket here", StandardCharsets.UTF_8));
            HttpUtil.setContentLength(notFound, notFound.content().readableBytes());
            ctx.writeAndFlush(notFound).addListener(ChannelFutureListener.CLOSE);
          } else if (msg instanceof TextWebSocketFrame text) {
            events.add("text " + text.text());
            act(ctx);
          } else if (msg instanceof PongWebSocketFrame pong) {
            events.add("pong " + pong.content().toString(StandardCharsets.UTF_8));
          } else if (msg instanceof CloseWebSocketFrame close) {
            events.add("close " + close.statusCode());
            ctx.close();
          }
        } finally {
          ReferenceCountUtil.release(msg);
        }
      }

      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a client that gave up (TLS refused, message too large): nothing to note
      }

      private void act(ChannelHandlerContext ctx) {
        switch (path) {
          case "/ws/notify" -> {
            ctx.write(new TextWebSocketFrame(SUBSCRIBED));
            ctx.write(new PingWebSocketFrame(Unpooled.copiedBuffer("are-you-there", StandardCharsets.UTF_8)));
            int n = Integer.parseInt(URI.create(upgradeUri).getQuery().replaceAll(".*n=(\\d+).*", "$1"));
            for (int i = 1; i <= n; i++) {
              ctx.write(new TextWebSocketFrame(notification("{\"number\":\"0x" + i + "\"}")));
            }
            ctx.flush();
          }
          case "/ws/refuse" -> ctx.writeAndFlush(new TextWebSocketFrame(
              "{\"jsonrpc\":\"2.0\",\"id\":\"riata-sub\",\"error\":{\"code\":-32601,\"message\":\"no such subscription\"}}"));
          case "/ws/close" -> {
            ctx.write(new TextWebSocketFrame(SUBSCRIBED));
            ctx.writeAndFlush(new CloseWebSocketFrame(1001, "going away"));
          }
          case "/ws/die" -> {
            ctx.write(new TextWebSocketFrame(SUBSCRIBED));
            ctx.writeAndFlush(new TextWebSocketFrame(notification("{\"number\":\"0x1\"}")))
                .addListener(ChannelFutureListener.CLOSE);
          }
          case "/ws/quiet" -> ctx.writeAndFlush(new TextWebSocketFrame(SUBSCRIBED));
          case "/ws/fragments" -> {
            String whole = notification("{\"number\":\"0x7\",\"extraData\":\"" + LONG_TEXT + "\"}");
            int third = whole.length() / 3;
            ctx.write(new TextWebSocketFrame(SUBSCRIBED));
            ctx.write(new TextWebSocketFrame(false, 0, whole.substring(0, third)));
            ctx.write(new PingWebSocketFrame(Unpooled.copiedBuffer("are-you-there", StandardCharsets.UTF_8)));
            ctx.write(new ContinuationWebSocketFrame(false, 0, whole.substring(third, 2 * third)));
            ctx.writeAndFlush(new ContinuationWebSocketFrame(true, 0, whole.substring(2 * third)));
          }
          case "/ws/huge-frame" -> {
            ctx.write(new TextWebSocketFrame(SUBSCRIBED));
            ctx.writeAndFlush(new TextWebSocketFrame(notification("{\"extraData\":\"" + "x".repeat(MAX_MESSAGE) + "\"}")));
          }
          case "/ws/huge-fragments" -> {
            ctx.write(new TextWebSocketFrame(SUBSCRIBED));
            String whole = notification("{\"extraData\":\"" + "x".repeat(2 * MAX_MESSAGE) + "\"}");
            int quarter = whole.length() / 4;
            ctx.write(new TextWebSocketFrame(false, 0, whole.substring(0, quarter)));
            for (int i = 1; i < 4; i++) {
              ctx.write(new ContinuationWebSocketFrame(i == 3, 0,
                  whole.substring(i * quarter, i == 3 ? whole.length() : (i + 1) * quarter)));
            }
            ctx.flush();
          }
          default -> ctx.close();
        }
      }

      private String notification(String resultJson) {
        return "{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":{\"subscription\":\"0xfeed\",\"result\":"
            + resultJson + "}}";
      }
    }
  }
}
