package io.riata.http;

import static io.riata.http.TestNodes.call;
import static io.riata.http.TestNodes.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import com.fasterxml.jackson.databind.JsonNode;
import io.riata.core.config.ChainsConfigLoader;
import io.riata.http.ops.dashboard.FeedClient;
import io.riata.http.sim.SimSettings;
import io.riata.http.sim.SimulatedProvider;
import io.riata.http.sim.SimulatedSockets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A node whose providers carry a canary key in a URL's path, query and user-info and in a header:
 * every way out of the process (error data, the reload 409, admin views, metrics, the dashboard
 * feed, a JFR recording, the log at every level, stdout and stderr) is driven, and the canary is
 * found in none of them.
 */
class SecretsIT {

  private static final String TOKEN = "it-secrets-token-0123456789";
  private static final String CANARY = "canary" + UUID.randomUUID().toString().replace("-", "");
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static final ConcurrentLinkedQueue<String> LOG = new ConcurrentLinkedQueue<>();
  private static final ByteArrayOutputStream STD = new ByteArrayOutputStream();
  private static final Map<String, Level> LEVELS = new HashMap<>();
  private static AppenderBase<ILoggingEvent> appender;
  private static PrintStream out;
  private static PrintStream err;

  private static SimulatedProvider good;
  private static SimulatedSockets sockets;
  private static Path file;
  private static String original;
  private static RiataServer server;

  @BeforeAll
  static void start() throws Exception {
    captureLogsAndStandardStreams();
    good = SimulatedProvider.start(SimSettings.healthy("good", 5));
    sockets = new SimulatedSockets();
    URI goodWs = sockets.open(good);
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort(); // nobody listens here once it is closed
    }
    file = Files.createDirectories(Path.of("target", "secrets-it")).resolve("chains.yml");
    original = """
        chains:
          alpha:
            chain_id: 5
            block_time: 500ms
            providers:
              - id: good
                http_url: http://user:%1$su@127.0.0.1:%2$d/v3/%1$sp?apikey=%1$sq
                ws_url: ws://127.0.0.1:%3$d/ws/%1$sw?key=%1$sk
                headers:
                  Authorization: Bearer %1$sh
                  x-api-key: %1$sx
          beta:
            chain_id: 6
            block_time: 500ms
            providers:
              - id: down
                http_url: http://127.0.0.1:%4$d/v3/%1$sp?apikey=%1$sq
                ws_url: ws://user:%1$su@127.0.0.1:%4$d/ws/%1$sw
                headers:
                  x-api-key: %1$sx
        """.formatted(CANARY, good.port(), goodWs.getPort(), closed);
    Files.writeString(file, original);
    server = TestNodes.start(ChainsConfigLoader.load(file, Map.of()), file,
        "riata.http.admin.token = \"" + TOKEN + "\"\npekko.loglevel = DEBUG\n"
            // the provider that is down keeps being tried, so that requests fail with their attempts
            + "riata.cluster.breaker.failure-threshold = 100\nriata.cluster.local-trip.consecutive-failures = 100\n");
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (sockets != null) {
      sockets.close();
    }
    if (good != null) {
      good.close();
    }
    releaseLogsAndStandardStreams();
  }

  @Test
  void theCanaryLeavesTheProcessNowhere() throws Exception {
    List<String> seen = new ArrayList<>();

    // Requests answered, and requests no provider could answer (-32050 with the attempts in data).
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> ok = TestNodes.post(server, "/rpc/alpha", call("eth_blockNumber", "[]", i));
      assertEquals(200, ok.statusCode(), ok.body());
      seen.add(ok.body() + ok.headers().map());
    }
    HttpResponse<String> failed = TestNodes.post(server, "/rpc/beta", call("eth_blockNumber", "[]", 1));
    JsonNode error = json(failed.body()).get("error");
    assertEquals(-32050, error.get("code").asInt(), failed.body());
    assertEquals("down", error.get("data").get("attempts").get(0).get("provider").asText(), failed.body());
    seen.add(failed.body() + failed.headers().map());
    HttpResponse<String> batch = TestNodes.post(server, "/rpc/beta",
        "[" + call("eth_chainId", "[]", 1) + "," + call("eth_getBalance", "[\"0x00\",\"latest\"]", 2) + "]");
    seen.add(batch.body());

    // Subscriptions: one upstream socket that works, one that cannot connect.
    seen.addAll(subscribe("alpha"));
    seen.addAll(subscribe("beta"));

    // The dashboard feed while traffic flows.
    try (FeedClient feed = new FeedClient(server.adminPort(), true, "Bearer " + TOKEN, List.of())) {
      for (int i = 0; i < 10; i++) {
        TestNodes.post(server, "/rpc/alpha", call("eth_blockNumber", "[]", i));
        TestNodes.post(server, "/rpc/beta", call("eth_blockNumber", "[]", i));
      }
      long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      int messages = 0;
      while (System.nanoTime() < until) {
        String message = feed.next(Duration.ofMillis(200));
        if (message != null) {
          seen.add(message);
          messages++;
        }
      }
      assertTrue(messages > 0, "the feed sent nothing in 3 s");
    }

    // Admin views: the providers are named and their hosts shown, the keys are not.
    for (String path : List.of("/admin/chains", "/admin/chains/alpha", "/admin/chains/beta", "/admin/providers",
        "/admin/providers/good", "/admin/providers/down", "/admin/cluster/members")) {
      HttpResponse<String> r = admin("GET", path);
      assertEquals(200, r.statusCode(), path + ": " + r.body());
      seen.add(r.body());
    }
    JsonNode goodView = json(admin("GET", "/admin/providers/good").body());
    assertEquals("http://127.0.0.1:" + good.port(), goodView.get("config").get("httpOrigin").asText());
    assertEquals(Set.of("Authorization", "x-api-key"), Set.copyOf(
        TestNodes.JSON.convertValue(goodView.get("config").get("headerNames"), List.class)));

    // A reload that changes URLs and a header needs a restart: 409, naming the fields only.
    // (good moves to another host name; down keeps its host and changes its key only.)
    Files.writeString(file, original.replace("/v3/" + CANARY + "p", "/v4/" + CANARY + "p2")
        .replace("@127.0.0.1:" + good.port(), "@localhost:" + good.port()).replace(CANARY + "x", CANARY + "x2"));
    HttpResponse<String> refused = admin("POST", "/admin/reload");
    assertEquals(409, refused.statusCode(), refused.body());
    assertEquals(List.of(
            "chains.alpha.providers.good.http_url: http://<redacted>@127.0.0.1:" + good.port()
                + "/<redacted> -> http://<redacted>@localhost:" + good.port() + "/<redacted>",
            "chains.alpha.providers.good.headers: changed",
            "chains.beta.providers.down.http_url: changed",
            "chains.beta.providers.down.headers: changed"),
        TestNodes.JSON.convertValue(json(refused.body()).get("restartRequired"), List.class), refused.body());
    seen.add(refused.body());
    Files.writeString(file, original);

    // Metrics, with the node's own and the cluster's counters.
    HttpResponse<String> metrics = TestNodes.getOps(server, "/metrics");
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.body().contains("provider=\"down\""), "metrics name the provider");
    seen.add(metrics.body());

    // A JFR recording over some traffic, downloaded through the admin API.
    assertEquals(200, admin("POST", "/admin/diagnostics/jfr/start?duration=30s&settings=default").statusCode());
    for (int i = 0; i < 20; i++) {
      TestNodes.post(server, "/rpc/alpha", call("eth_blockNumber", "[]", i));
      TestNodes.post(server, "/rpc/beta", call("eth_blockNumber", "[]", i));
    }
    HttpResponse<String> stopped = admin("POST", "/admin/diagnostics/jfr/stop");
    assertEquals(200, stopped.statusCode(), stopped.body());
    seen.add(stopped.body());
    seen.add(admin("GET", "/admin/diagnostics/jfr").body());
    HttpResponse<byte[]> jfr = CLIENT.send(request("GET", "/admin/diagnostics/jfr/" + json(stopped.body()).get("id").asLong())
        .build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, jfr.statusCode());
    Path recording = file.resolveSibling("recording.jfr");
    Files.write(recording, jfr.body());
    seen.add(new String(jfr.body(), StandardCharsets.ISO_8859_1));
    int events = 0;
    for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
      String type = event.getEventType().getName();
      assertFalse(Set.of("jdk.InitialEnvironmentVariable", "jdk.InitialSystemProperty", "jdk.JVMInformation",
          "jdk.SystemProcess").contains(type), "the recording holds " + type + " events");
      assertNoCanary("JFR event " + type, event.toString());
      events++;
    }
    assertTrue(events > 100, "the recording holds " + events + " events only");

    // The log at every level, and whatever went to stdout or stderr.
    assertTrue(LOG.stream().anyMatch(line -> line.contains("down")), "the log mentions the provider that failed");
    assertTrue(LOG.stream().anyMatch(line -> line.startsWith("DEBUG")), "the log was captured at DEBUG");
    seen.addAll(LOG);
    Files.write(file.resolveSibling("log.txt"), LOG); // to read when this fails
    synchronized (STD) {
      seen.add(STD.toString(StandardCharsets.UTF_8));
    }

    for (String text : seen) {
      assertNoCanary("", text);
    }
    System.out.printf("secrets: %d texts checked, %d log lines, %d JFR events; no canary%n", seen.size(), LOG.size(), events);
  }

  private static void assertNoCanary(String where, String text) {
    int at = text.indexOf(CANARY);
    assertTrue(at < 0, () -> "the canary got out" + (where.isEmpty() ? "" : " in " + where) + ": ..."
        + text.substring(Math.max(0, at - 300), Math.min(text.length(), at + 100)));
  }

  /** Subscribes to newHeads on a chain over the RPC WebSocket and returns what came back within 2 s. */
  private static List<String> subscribe(String chain) throws Exception {
    ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();
    WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
        .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/ws/rpc/" + chain), new WebSocket.Listener() {
          private final StringBuilder partial = new StringBuilder();

          @Override
          public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
              received.add(partial.toString());
              partial.setLength(0);
            }
            ws.request(1);
            return null;
          }

          @Override
          public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            received.add("closed " + statusCode + " " + reason);
            return null;
          }
        }).join();
    socket.sendText(call("eth_subscribe", "[\"newHeads\"]", 1), true).join();
    socket.sendText(call("eth_subscribe", "[\"logs\",{}]", 2), true).join();
    Thread.sleep(2000);
    socket.abort();
    assertFalse(received.isEmpty(), "no answer on /ws/rpc/" + chain);
    return List.copyOf(received);
  }

  private static HttpResponse<String> admin(String method, String path) {
    try {
      return CLIENT.send(request(method, path).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static HttpRequest.Builder request(String method, String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminPort() + path))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + TOKEN)
        .method(method, HttpRequest.BodyPublishers.noBody());
  }

  // ---- capture -----------------------------------------------------------------------------

  /** Every logger at DEBUG into a list (and only there), stdout and stderr copied too. */
  private static void captureLogsAndStandardStreams() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    appender = new AppenderBase<>() {
      @Override
      protected void append(ILoggingEvent e) {
        StringBuilder line = new StringBuilder(e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage());
        if (e.getThrowableProxy() != null) {
          line.append('\n').append(ThrowableProxyUtil.asString(e.getThrowableProxy()));
        }
        if (!e.getMDCPropertyMap().isEmpty()) {
          line.append(' ').append(e.getMDCPropertyMap());
        }
        LOG.add(line.toString());
      }
    };
    appender.setContext(context);
    appender.start();
    for (Logger logger : context.getLoggerList()) {
      LEVELS.put(logger.getName(), logger.getLevel());
      if (logger.getLevel() != null) {
        logger.setLevel(Level.DEBUG);
      }
    }
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.DEBUG);
    root.addAppender(appender);
    ThresholdFilter console = new ThresholdFilter(); // the console stays as quiet as before
    console.setLevel("WARN");
    console.start();
    root.getAppender("STDOUT").addFilter(console);
    out = System.out;
    err = System.err;
    System.setOut(new PrintStream(tee(out), true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(tee(err), true, StandardCharsets.UTF_8));
  }

  private static OutputStream tee(PrintStream to) {
    return new OutputStream() {
      @Override
      public void write(int b) {
        to.write(b);
        synchronized (STD) {
          STD.write(b);
        }
      }

      @Override
      public void write(byte[] b, int off, int len) {
        to.write(b, off, len);
        synchronized (STD) {
          STD.write(b, off, len);
        }
      }
    };
  }

  private static void releaseLogsAndStandardStreams() {
    System.setOut(out);
    System.setErr(err);
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.detachAppender(appender);
    root.getAppender("STDOUT").clearAllFilters();
    LEVELS.forEach((name, level) -> context.getLogger(name).setLevel(level));
  }
}
