package io.riata.http.data;

import static io.riata.http.TestNodes.awaitMetric;
import static io.riata.http.TestNodes.call;
import static io.riata.http.TestNodes.json;
import static io.riata.http.TestNodes.within;
import static io.riata.http.data.RawHttp.closedByServer;
import static io.riata.http.data.RawHttp.post;
import static io.riata.http.data.RawHttp.read;
import static io.riata.http.data.RawHttp.send;
import static io.riata.http.data.RawHttp.socket;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.riata.http.RiataServer;
import io.riata.http.TestNodes;
import io.riata.http.data.RawHttp.Reply;
import io.riata.http.sim.SimSettings;
import io.riata.http.sim.SimulatedProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bounds on what a client can make the RPC port hold, each refusing the next client with its
 * documented answer: connections past {@code limits.max-connections}, a request whose headers
 * trickle in past {@code limits.header-read-timeout}; and a hedged read's losing attempt, whose
 * connection to the slow provider is closed rather than left waiting (counted at the provider).
 */
class DataBoundsIT {

  private static final int MAX_CONNECTIONS = 3;
  /** How long the slow provider takes to answer reads: far longer than the test waits. */
  private static final Duration SLOW = Duration.ofSeconds(30);
  private static SimulatedProvider quick;
  private static SimulatedProvider slow;
  /** A node that takes {@value #MAX_CONNECTIONS} client connections at most. */
  private static RiataServer crowded;
  /**
   * A node with a short header timeout and the default hedging, on a chain that reads from slow
   * first and quick second.
   */
  private static RiataServer node;

  @BeforeAll
  static void start() throws Exception {
    quick = SimulatedProvider.start(SimSettings.healthy("quick", 7));
    slow = SimulatedProvider.start(SimSettings.healthy("slow", 7));
    crowded = TestNodes.start(TestNodes.config(List.of(TestNodes.chain("bounds", 7, "priority",
        List.of(TestNodes.provider("quick", quick.httpUrl(), 1)))), List.of()),
        "riata.http.limits.max-connections = " + MAX_CONNECTIONS);
    node = TestNodes.start(TestNodes.config(List.of(TestNodes.chain("bounds", 7, "priority", List.of(
            TestNodes.provider("slow", slow.httpUrl(), 1), TestNodes.provider("quick", quick.httpUrl(), 2)))),
        List.of()), "riata.http.limits.header-read-timeout = 500ms"
            // An attempt outrun by its hedge counts as a timeout once its grace is over: high
            // thresholds keep the slow provider first in line, so that every read races it.
            + "\nriata.cluster.breaker.timeout-threshold = 1000\nriata.cluster.local-trip.consecutive-failures = 100");
  }

  @AfterAll
  static void stop() {
    crowded.close();
    node.close();
    quick.close();
    slow.close();
  }

  private static Reply chainId(Socket s) throws IOException {
    send(s, post("/rpc/bounds", call("eth_chainId", "[]", 1)));
    return read(s.getInputStream());
  }

  /** Closes the connection and waits until the server has closed its end too (it counts the place free just after). */
  private static void hangUp(Socket s) throws IOException {
    s.shutdownOutput();
    closedByServer(s.getInputStream());
    s.close();
  }

  /** Reads an answer that ends the connection: its status and JSON-RPC error, then the close. */
  private static Reply closingAnswer(Socket s, int status, int code) throws IOException {
    Reply r = read(s.getInputStream());
    assertEquals(status, r.status(), r.text());
    assertEquals(code, json(r.text()).path("error").path("code").asInt(), r.text());
    assertEquals("close", r.headers().get("connection"));
    assertTrue(closedByServer(s.getInputStream()));
    return r;
  }

  @Test
  void pastItsConnectionLimitTheNextClientIsAnswered503AtOnceAndTheConnectionClosed() throws Exception {
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < MAX_CONNECTIONS; i++) {
        Socket s = socket(crowded);
        held.add(s);
        assertEquals(200, chainId(s).status(), "connection " + (i + 1) + " is within the limit");
      }
      try (Socket over = socket(crowded)) {
        // Nothing sent: the answer comes anyway, so a client never hangs on a full node.
        Reply r = closingAnswer(over, 503, -32053);
        assertEquals("1", r.headers().get("retry-after"));
        assertTrue(json(r.text()).path("error").path("message").asText()
            .contains("maximum of " + MAX_CONNECTIONS + " client connections"), r.text());
      }
      try (Socket over = socket(crowded)) {
        // A client that sends its request at once reads the same answer, not a reset.
        send(over, post("/rpc/bounds", call("eth_chainId", "[]", 1)));
        closingAnswer(over, 503, -32053);
      }
      assertEquals(200, chainId(held.get(0)).status(), "the connections within the limit are still served");
      hangUp(held.remove(0));
      // The client sees the close as the node closes the socket; the node counts the place free a
      // moment later on its event loop, so a client at once may still be refused.
      int status = 0;
      for (int i = 0; i < 50 && status != 200; i++) {
        try (Socket again = socket(crowded)) {
          status = chainId(again).status();
        }
        if (status != 200) {
          Thread.sleep(20);
        }
      }
      assertEquals(200, status, "a place freed by a closed connection is taken again");
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
    awaitMetric(crowded, "riata_rpc_connections_refused_total", 2);
  }

  @Test
  void headersTrickledInPastTheHeaderTimeoutAre408AndTheConnectionIsClosed() throws Exception {
    try (Socket s = socket(node)) {
      String head = "POST /rpc/bounds HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Slow: "
          + "s".repeat(200);
      // A byte every 50 ms: each one resets the idle timeout, only the header timeout ends this.
      Thread trickle = new Thread(() -> {
        try {
          OutputStream out = s.getOutputStream();
          for (int i = 0; i < head.length(); i++) {
            out.write(head.charAt(i));
            out.flush();
            Thread.sleep(50);
          }
        } catch (IOException | InterruptedException closed) {
          // the server has answered and closed the connection
        }
      }, "trickle");
      trickle.setDaemon(true);
      trickle.start();
      Reply r = closingAnswer(s, 408, -32600);
      assertTrue(json(r.text()).path("error").path("message").asText()
          .contains("headers did not arrive within 500 ms"), r.text());
      trickle.interrupt();
    }
    awaitMetric(node, "riata_rpc_read_timeouts_total{part=\"headers\"}", 1);
  }

  @Test
  void aConnectionThatHasSentNothingYetIsNotHeldToTheHeaderTimeout() throws Exception {
    try (Socket s = socket(node)) {
      Thread.sleep(1000); // twice the header timeout, well within the idle timeout
      assertEquals(200, chainId(s).status());
    }
  }

  @Test
  void aHedgedReadsLosingAttemptLeavesNoConnectionOpenAtTheSlowProvider() throws Exception {
    for (String id : List.of("slow", "quick")) { // both must be candidates: known heads, not lagging
      assertTrue(within(Duration.ofSeconds(10), () -> json(TestNodes.getOps(node, "/admin/providers/" + id).body())
          .path("cluster").path("lag").asInt(-1) == 0), id + " has no head in the node's snapshot");
    }
    // A read that names no block: a provider one block behind the other for a moment stays first.
    String read = call("eth_gasPrice", "[]", 1);
    for (int i = 0; i < 20; i++) { // slow answers at once for now: its p95, so the hedge delay, comes down to 50 ms
      assertEquals(200, TestNodes.post(node, "/rpc/bounds", read).statusCode());
    }
    slow.latency("eth_gasPrice", SLOW); // head probes stay quick, the reads do not
    long reached = slow.requests("eth_gasPrice");
    int kept = slow.openConnections();
    int wanted = 12;
    try {
      // Once slow has lost a few hedges its outrun attempts count against it and it stops being
      // first, so fewer than `wanted` reads may be hedged; a busy machine can also silence the
      // pool for a moment, and while this node stands in slow may not be first either. Reads that
      // went to quick alone are not counted; the hedged ones must outnumber the kept connections.
      int seen = 0;
      for (int tries = 0; seen < wanted && tries < 4 * wanted; tries++) {
        HttpResponse<String> r = TestNodes.post(node, "/rpc/bounds", read);
        String log = r.headers().firstValue("X-Riata-Attempt-Log").orElse("");
        assertEquals("quick", r.headers().firstValue("X-Riata-Provider").orElse(""), log);
        assertTrue(json(r.body()).has("result"), r.body());
        if (log.equals("quick=ok")) {
          continue;
        }
        assertTrue(log.contains("quick=") && log.contains("(hedge)") && log.contains("slow=outrun"), log);
        seen++;
      }
      int hedged = seen;
      assertTrue(hedged > kept, "more losers (" + hedged + ") than the " + kept + " connections kept before,"
          + " so connections left open would show");
      // Counted when the provider has read the request, which can come after the answer.
      assertTrue(within(Duration.ofSeconds(5), () -> slow.requests("eth_gasPrice") == reached + hedged),
          "every hedged read's first attempt reached the slow provider: " + (slow.requests("eth_gasPrice") - reached)
              + " of " + hedged);
      // Each loser's connection was closed when its grace (four hedge delays) ran out, long before
      // its answer would have freed it; what is left is what the pool kept (probes come and go).
      assertTrue(within(SLOW.dividedBy(6), () -> slow.openConnections() <= kept),
          "the slow provider holds " + slow.openConnections() + " connections; " + kept + " before the hedged reads");
      System.out.printf("%d hedged reads: the slow provider held %d connections before, %d after%n", hedged, kept,
          slow.openConnections());
      assertTrue(within(Duration.ofSeconds(5), () -> json(TestNodes.getOps(node, "/admin/providers/slow").body())
          .path("thisNode").path("attempts").path("timeouts").asInt() >= hedged),
          "each outrun attempt is counted against the slow provider as a timeout: "
              + TestNodes.getOps(node, "/admin/providers/slow").body());
    } finally {
      slow.latency("eth_gasPrice", Duration.ZERO);
    }
  }
}
