package io.riata.http.ops;

import static io.riata.http.TestNodes.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.riata.http.RiataServer;
import io.riata.http.TestNodes;
import io.riata.http.ops.dashboard.DashboardFeed;
import io.riata.http.ops.dashboard.FeedClient;
import io.riata.http.sim.SimSettings;
import io.riata.http.sim.SimulatedProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator port's bounds on real nodes, through raw sockets on 127.0.0.1: connections past
 * {@code max-connections}, request heads over the header limits, heads and bodies that trickle in,
 * feed subscribers past {@code max-subscribers}, and a feed subscriber that stops reading. Two
 * nodes: one allowing 3 connections (and the default timeouts, so held sockets stay open while the
 * test runs), one with short timeouts and 2 feed subscribers. Assertions are on answers and
 * counts, never on how long anything took.
 */
class OperatorBoundsIT {

  private static final int MAX_CONNECTIONS = 3;
  private static final int MAX_SUBSCRIBERS = 2;
  /** The trickling clients send a byte this often: far inside Pekko's idle timeout (120 s). */
  private static final Duration TRICKLE = Duration.ofMillis(250);
  /** How long a trickling client keeps going before the test gives up on being cut off. */
  private static final Duration TRICKLE_FOR = Duration.ofSeconds(20);

  private static SimulatedProvider provider;
  private static RiataServer crowded;
  private static RiataServer strict;

  @BeforeAll
  static void start() throws Exception {
    provider = SimulatedProvider.start(SimSettings.healthy("p1", 7));
    var chains = TestNodes.oneProvider("seven", 7, "p1", provider.httpUrl());
    crowded = TestNodes.start(chains, "riata.http.admin.limits.max-connections = " + MAX_CONNECTIONS);
    strict = TestNodes.start(chains, """
        riata.http.admin.limits.header-read-timeout = 2s
        riata.http.admin.limits.body-read-timeout = 1s
        riata.http.admin.dashboard.max-subscribers = %d
        """.formatted(MAX_SUBSCRIBERS));
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {crowded, strict, provider}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // stopping anyway
      }
    }
  }

  @Test
  void pastMaxConnectionsTheNextClientGets503WithRetryAfterAndIsClosed() throws Exception {
    OperatorConnections connections = crowded.operatorConnections();
    await(() -> connections.open() == 0, "no operator connection left from starting");
    long refusedBefore = connections.refused();
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < MAX_CONNECTIONS; i++) {
        held.add(connect(crowded)); // silent: counted from the accept on
      }
      await(() -> connections.open() == MAX_CONNECTIONS, "the held connections are counted");

      String answer = exchange(crowded, "GET /health HTTP/1.1\r\nHost: ops\r\n\r\n");
      assertEquals(503, status(answer), answer);
      assertTrue(answer.contains("\r\nRetry-After: 1\r\n"), answer);
      assertTrue(answer.contains("\r\nConnection: close\r\n"), answer);
      assertTrue(body(answer).contains("too-many-connections"), answer);
      assertEquals(refusedBefore + 1, connections.refused());
      assertEquals(MAX_CONNECTIONS, connections.open(), "a refused connection is not counted as open");

      held.remove(0).close();
      await(() -> connections.open() == MAX_CONNECTIONS - 1, "a closed connection frees its place");
      assertEquals(200, status(exchange(crowded, "GET /health HTTP/1.1\r\nHost: ops\r\n\r\n")));
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
  }

  @Test
  void aRequestHeadOverTheLimitsGets414Or431AndTheConnectionIsClosed() throws Exception {
    String longTarget = "GET /health?pad=" + "a".repeat(9 * 1024) + " HTTP/1.1\r\nHost: ops\r\n\r\n";
    String longValue = "GET /health HTTP/1.1\r\nHost: ops\r\nX-Pad: " + "b".repeat(9 * 1024) + "\r\n\r\n";
    StringBuilder many = new StringBuilder("GET /health HTTP/1.1\r\nHost: ops\r\n");
    for (int i = 0; i < 64; i++) {
      many.append("X-Pad-").append(i).append(": x\r\n");
    }
    String manyHeaders = many.append("\r\n").toString();
    String[][] cases = {{longTarget, "414", "uri-too-long"}, {longValue, "431", "header-too-large"},
        {manyHeaders, "431", "header-too-large"}, {"NOT HTTP AT ALL\r\n\r\n", "501", "malformed-request"}};
    for (String[] c : cases) {
      String answer = exchange(strict, c[0]); // read to the end: the node closed the connection
      assertEquals(Integer.parseInt(c[1]), status(answer), answer);
      assertEquals("https://riata.io/problems/" + c[2], json(body(answer)).path("type").asText(), answer);
    }
    assertEquals(200, status(exchange(strict, "GET /health HTTP/1.1\r\nHost: ops\r\nX-Pad: "
        + "c".repeat(8 * 1024 - 1) + "\r\n\r\n")), "a head just within the limits is served");
  }

  @Test
  void aClientTricklingItsHeadIsCutOffWithoutAnAnswer() throws Exception {
    long before = strict.operatorConnections().headTimeouts();
    try (Socket socket = connect(strict)) {
      socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: ops\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
      Trickle t = trickle(socket, (byte) 'a');
      assertTrue(t.cutOff(), "the node let a head trickle in for " + TRICKLE_FOR.toSeconds() + " s");
      assertEquals("", t.answer(), "a head that never completed gets no answer");
    }
    assertTrue(strict.operatorConnections().headTimeouts() > before);
  }

  @Test
  void aKeepAliveConnectionIdleBetweenRequestsIsClosedToo() throws Exception {
    try (Socket socket = connect(strict)) {
      socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: ops\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      socket.setSoTimeout((int) TRICKLE_FOR.toMillis());
      String everything = readToEnd(socket.getInputStream()); // the answer, then the close
      assertEquals(200, status(everything), everything);
    }
  }

  @Test
  void aBodyThatTricklesInGets408AndTheConnectionIsClosed() throws Exception {
    long before = strict.operatorConnections().bodyTimeouts();
    try (Socket socket = connect(strict)) {
      socket.getOutputStream().write(("POST /admin/reload HTTP/1.1\r\nHost: ops\r\nContent-Type: application/json\r\n"
          + "Content-Length: 1000\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
      Trickle t = trickle(socket, (byte) ' ');
      assertTrue(t.cutOff(), "the node let a body trickle in for " + TRICKLE_FOR.toSeconds() + " s");
      assertEquals(408, status(t.answer()), t.answer());
      assertTrue(t.answer().contains("\r\nConnection: close\r\n"), t.answer());
      assertEquals("https://riata.io/problems/request-timeout", json(body(t.answer())).path("type").asText());
    }
    assertEquals(before + 1, strict.operatorConnections().bodyTimeouts());
  }

  @Test
  void pastMaxSubscribersTheNextFeedUpgradeGets503WithRetryAfter() throws Exception {
    DashboardFeed feed = strict.dashboard();
    await(() -> feed.subscriberCount() == 0, "no feed left from another test");
    long refusedBefore = feed.refusedTotal();
    FeedClient first = new FeedClient(strict.operatorPort(), true);
    try (FeedClient second = new FeedClient(strict.operatorPort(), true)) {
      await(() -> feed.subscriberCount() == MAX_SUBSCRIBERS, "both feeds subscribed");
      CompletionException refused = assertThrows(CompletionException.class,
          () -> new FeedClient(strict.operatorPort(), true).close());
      var response = assertInstanceOf(WebSocketHandshakeException.class, refused.getCause()).getResponse();
      assertEquals(503, response.statusCode());
      assertEquals("5", response.headers().firstValue("Retry-After").orElse(null));
      assertEquals(refusedBefore + 1, feed.refusedTotal());

      first.close();
      await(() -> feed.subscriberCount() == MAX_SUBSCRIBERS - 1, "a closed feed frees its place");
      try (FeedClient again = new FeedClient(strict.operatorPort(), true)) {
        assertNotNull(again.next(Duration.ofSeconds(10)), "the feed admitted in the freed place gets rollups");
        // Past the head deadline (2 s here): it does not apply to a socket after its upgrade.
        long until = System.nanoTime() + Duration.ofSeconds(4).toNanos();
        while (System.nanoTime() < until) {
          assertNotNull(again.next(Duration.ofSeconds(5)), "the feed stopped");
        }
        assertEquals(-1, again.closedWith, "the feed is still open");
      }
    } finally {
      first.close();
    }
  }

  @Test
  void aFeedSubscriberThatStopsReadingSkipsRollupsAndTheSkipsAndRefusalsAreInTheMetrics() throws Exception {
    DashboardFeed feed = strict.dashboard();
    await(() -> feed.subscriberCount() == 0, "no feed left from another test");
    String pad = "x".repeat(64 * 1024);
    try (FeedClient stalled = new FeedClient(strict.operatorPort(), false)) {
      await(() -> feed.subscriberCount() == 1, "the stalled feed subscribed");
      DashboardFeed.Subscriber slot = feed.subscribers().iterator().next();
      for (int i = 1; i <= 500; i++) {
        feed.publish("{\"version\":1,\"type\":\"test\",\"seq\":" + i + ",\"pad\":\"" + pad + "\"}", -1);
      }
      System.out.printf("stalled feed subscriber: 500 rollups of 64 KiB published, %d taken into its socket,"
          + " %d skipped%n", slot.taken(), slot.conflated());
      assertTrue(slot.taken() < 500 && slot.conflated() > 0,
          "a socket that stopped reading stops taking rollups, and the rest are skipped: taken " + slot.taken());
    }
    exchange(strict, "GET /health HTTP/1.1\r\nHost: ops\r\nX-Pad: " + "d".repeat(9 * 1024) + "\r\n\r\n");
    List<String> wanted = List.of("riata_dashboard_conflated_total ", "riata_operator_refused_total{reason=\"header-too-large\"}",
        "riata_operator_refused_total{reason=\"max-connections\"}", "riata_operator_refused_total{reason=\"header-timeout\"}",
        "riata_operator_refused_total{reason=\"body-timeout\"}", "riata_dashboard_refused_total ",
        "riata_operator_connections ");
    String[] metrics = {""};
    await(() -> {
      metrics[0] = TestNodes.getOps(strict, "/metrics").body();
      return wanted.stream().allMatch(w -> metrics[0].lines().anyMatch(l -> l.startsWith(w)))
          && value(metrics[0], "riata_dashboard_conflated_total ") > 0
          && value(metrics[0], "riata_operator_refused_total{reason=\"header-too-large\"}") > 0;
    }, "the operator port's series in /metrics");
  }

  // ---- raw sockets -------------------------------------------------------------------------

  private record Trickle(boolean cutOff, String answer) {}

  /** Sends {@code filler} one byte at a time until the node answers or closes, or TRICKLE_FOR passes. */
  private static Trickle trickle(Socket socket, byte filler) throws IOException, InterruptedException {
    socket.setSoTimeout((int) TRICKLE.toMillis());
    InputStream in = socket.getInputStream();
    OutputStream out = socket.getOutputStream();
    long until = System.nanoTime() + TRICKLE_FOR.toNanos();
    while (System.nanoTime() < until) {
      try {
        out.write(filler);
        out.flush();
      } catch (SocketException closed) {
        socket.setSoTimeout(5000);
        return new Trickle(true, readToEnd(in));
      }
      try {
        int first = in.read();
        if (first < 0) {
          return new Trickle(true, "");
        }
        socket.setSoTimeout(10_000);
        return new Trickle(true, (char) first + readToEnd(in));
      } catch (SocketTimeoutException stillOpen) {
        // nothing yet: another byte
      }
    }
    return new Trickle(false, "");
  }

  private static Socket connect(RiataServer server) throws IOException {
    Socket socket = new Socket("127.0.0.1", server.operatorPort());
    socket.setSoTimeout(10_000);
    return socket;
  }

  /** Sends a whole request on a new connection and reads until the node closes it. */
  private static String exchange(RiataServer server, String request) throws IOException {
    String closing = request.replaceFirst("\r\n", "\r\nConnection: close\r\n");
    try (Socket socket = connect(server)) {
      socket.getOutputStream().write(closing.getBytes(StandardCharsets.US_ASCII));
      return readToEnd(socket.getInputStream());
    }
  }

  private static String readToEnd(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        all.write(buffer, 0, n);
      }
    } catch (SocketException reset) {
      // closed with unread bytes of ours still in its buffer: what arrived before counts
    }
    return all.toString(StandardCharsets.ISO_8859_1);
  }

  private static int status(String answer) {
    assertTrue(answer.startsWith("HTTP/1.1 "), "not an HTTP answer: [" + answer + "]");
    return Integer.parseInt(answer.substring(9, 12));
  }

  private static String body(String answer) {
    return answer.substring(answer.indexOf("\r\n\r\n") + 4);
  }

  private static double value(String metrics, String prefix) {
    return metrics.lines().filter(l -> l.startsWith(prefix)).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > until) {
        throw new AssertionError("not within 20 s: " + what);
      }
      Thread.sleep(50);
    }
  }
}
