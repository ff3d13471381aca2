package io.riata.http.ops;

import static io.riata.http.TestNodes.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.riata.core.config.ChainsConfig;
import io.riata.http.RiataServer;
import io.riata.http.TestNodes;
import io.riata.http.ops.dashboard.FeedClient;
import io.riata.http.sim.SimSettings;
import io.riata.http.sim.SimulatedProvider;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator port of real nodes: one without a token (asked to bind 0.0.0.0, which it must
 * not), one with a token, and one with a token that {@code /metrics} wants too. What each serves,
 * to whom, and what the RPC port no longer serves.
 */
class OperatorPlaneIT {

  private static final String TOKEN = "it-operator-token-0123456789";
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static SimulatedProvider provider;
  private static RiataServer open;
  private static RiataServer guarded;

  @BeforeAll
  static void start() throws Exception {
    provider = SimulatedProvider.start(SimSettings.healthy("p1", 7));
    open = TestNodes.start(chains(), "riata.http.admin.host = \"0.0.0.0\"");
    guarded = TestNodes.start(chains(), "riata.http.admin.token = \"" + TOKEN + "\"");
  }

  @AfterAll
  static void stop() {
    if (open != null) {
      open.close();
    }
    if (guarded != null) {
      guarded.close();
    }
    provider.close();
  }

  private static ChainsConfig chains() {
    return TestNodes.config(List.of(TestNodes.chain("seven", 7, "priority",
        List.of(TestNodes.provider("p1", provider.httpUrl(), 1)))), List.of());
  }

  // ---- without a token ---------------------------------------------------------------------

  @Test
  void withoutATokenThePageItsAssetsMetricsHealthAndReadyAreServedOnTheOperatorPort() {
    int ops = open.operatorPort();
    HttpResponse<String> page = get(ops, "/dashboard", null);
    assertEquals(200, page.statusCode());
    assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), page.headers().toString());
    assertTrue(page.body().contains("id=\"login\""), "the page carries its token form");
    HttpResponse<String> script = get(ops, "/dashboard/dashboard.js", null);
    assertEquals(200, script.statusCode());
    assertTrue(script.body().contains("riata-token."), "the page offers the token as a subprotocol");
    assertEquals(200, get(ops, "/dashboard/dashboard.css", null).statusCode());

    HttpResponse<String> access = get(ops, "/dashboard/access", null);
    assertEquals(200, access.statusCode(), access.body());
    assertFalse(json(access.body()).get("tokenRequired").asBoolean());

    HttpResponse<String> metrics = get(ops, "/metrics", null);
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
    assertEquals(200, get(ops, "/health", null).statusCode());
    assertEquals(200, get(ops, "/ready", null).statusCode());
    assertEquals("ready", json(get(ops, "/ready", null).body()).get("status").asText());
  }

  @Test
  void withoutATokenTheFeedOpensAndSelectsRiataDashboardOnlyWhenOffered() throws Exception {
    try (FeedClient plain = new FeedClient(open.operatorPort(), true)) {
      assertEquals("", plain.subprotocol(), "nothing offered, nothing selected");
      assertRollup(plain);
    }
    try (FeedClient offering = new FeedClient(open.operatorPort(), true, null, List.of("riata-dashboard"))) {
      assertEquals("riata-dashboard", offering.subprotocol());
      assertRollup(offering);
    }
    // What the page offers when it holds a token, though this node has none: still admitted.
    try (FeedClient page = new FeedClient(open.operatorPort(), true, null,
        List.of("riata-dashboard", tokenProtocol("anything")))) {
      assertEquals("riata-dashboard", page.subprotocol());
      assertRollup(page);
    }
  }

  @Test
  void withoutATokenTheOperatorPortListensOnLoopbackOnly() throws IOException {
    assertEquals("127.0.0.1", open.operatorHost(), "riata.http.admin.host = 0.0.0.0 is ignored without a token");
    for (InetAddress address : otherAddresses()) {
      try (Socket socket = new Socket()) {
        assertThrows(ConnectException.class,
            () -> socket.connect(new InetSocketAddress(address, open.operatorPort()), 2000),
            "the operator port answers on " + address);
      }
    }
  }

  @Test
  void theRpcPortServesNeitherTheDashboardNorItsFeedNorMetricsButStillHealthAndReady() {
    for (RiataServer server : List.of(open, guarded)) {
      for (String path : List.of("/dashboard", "/dashboard/", "/dashboard/dashboard.js", "/dashboard/dashboard.css",
          "/dashboard/access", "/ws/dashboard", "/metrics")) {
        assertEquals(404, get(server.port(), path, null).statusCode(), "GET " + path + " on the RPC port");
      }
      assertEquals(404, refusedUpgrade(server.port(), null, List.of()), "feed upgrade on the RPC port");
      assertEquals(404, refusedUpgrade(server.port(), null, List.of("riata-dashboard")), "feed upgrade on the RPC port");
      assertEquals(200, get(server.port(), "/health", null).statusCode());
      assertEquals(200, get(server.port(), "/ready", null).statusCode());
    }
  }

  // ---- with a token ------------------------------------------------------------------------

  @Test
  void withATokenTheAdminApiWantsIt() {
    int ops = guarded.operatorPort();
    HttpResponse<String> missing = get(ops, "/admin/chains", null);
    assertEquals(401, missing.statusCode(), missing.body());
    assertEquals("Bearer realm=\"riata-admin\"", missing.headers().firstValue("WWW-Authenticate").orElseThrow());
    assertEquals(401, get(ops, "/admin/chains", "Bearer " + TOKEN + "x").statusCode());
    assertEquals(200, get(ops, "/admin/chains", "Bearer " + TOKEN).statusCode());
  }

  @Test
  void withATokenHealthReadyMetricsAndThePageNeedNone() {
    int ops = guarded.operatorPort();
    for (String path : List.of("/health", "/ready", "/metrics", "/dashboard", "/dashboard/dashboard.js",
        "/dashboard/dashboard.css")) {
      HttpResponse<String> r = get(ops, path, null);
      assertEquals(200, r.statusCode(), path + ": " + r.body());
    }
  }

  @Test
  void withATokenTheFeedRefusesAnUpgradeWithoutTheTokenOrWithAWrongOne() {
    int ops = guarded.operatorPort();
    assertEquals(401, refusedUpgrade(ops, null, List.of()), "no token at all");
    assertEquals(401, refusedUpgrade(ops, null, List.of("riata-dashboard")), "the feed protocol alone");
    assertEquals(401, refusedUpgrade(ops, "Bearer " + TOKEN + "x", List.of()), "a wrong bearer token");
    assertEquals(401, refusedUpgrade(ops, "Basic " + TOKEN, List.of()), "not a bearer token");
    assertEquals(401, refusedUpgrade(ops, null, List.of("riata-dashboard", tokenProtocol(TOKEN + "x"))),
        "a wrong token as a subprotocol");
    assertEquals(401, refusedUpgrade(ops, null, List.of("riata-dashboard", "riata-token." + TOKEN)),
        "the token not base64url-encoded");

    assertEquals(401, get(ops, "/dashboard/access", null).statusCode());
    assertEquals(401, get(ops, "/dashboard/access", "Bearer " + TOKEN + "x").statusCode());
    HttpResponse<String> access = get(ops, "/dashboard/access", "Bearer " + TOKEN);
    assertEquals(200, access.statusCode());
    assertTrue(json(access.body()).get("tokenRequired").asBoolean());
  }

  @Test
  void withATokenTheFeedAcceptsItAsABearerHeader() throws Exception {
    try (FeedClient client = new FeedClient(guarded.operatorPort(), true, "Bearer " + TOKEN, List.of())) {
      assertEquals("", client.subprotocol());
      assertRollup(client);
    }
  }

  @Test
  void withATokenTheFeedAcceptsItAsASubprotocolAndSelectsRiataDashboard() throws Exception {
    try (FeedClient client = new FeedClient(guarded.operatorPort(), true, null,
        List.of("riata-dashboard", tokenProtocol(TOKEN)))) {
      assertEquals("riata-dashboard", client.subprotocol(), "never the protocol that carries the token");
      assertRollup(client);
    }
  }

  @Test
  void metricsWantTheTokenWhenMetricsRequireTokenIsOn() {
    RiataServer strict = TestNodes.start(chains(),
        "riata.http.admin.token = \"" + TOKEN + "\"\nriata.http.admin.metrics-require-token = on");
    try {
      int ops = strict.operatorPort();
      HttpResponse<String> missing = get(ops, "/metrics", null);
      assertEquals(401, missing.statusCode(), missing.body());
      assertTrue(missing.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer "));
      assertEquals(401, get(ops, "/metrics", "Bearer " + TOKEN + "x").statusCode());
      HttpResponse<String> right = get(ops, "/metrics", "Bearer " + TOKEN);
      assertEquals(200, right.statusCode());
      assertTrue(right.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
      assertEquals(200, get(ops, "/health", null).statusCode());
      assertEquals(200, get(ops, "/ready", null).statusCode());
      assertEquals(200, get(ops, "/dashboard", null).statusCode());
    } finally {
      strict.close();
    }
  }

  // ---- helpers -----------------------------------------------------------------------------

  private static String tokenProtocol(String token) {
    return "riata-token." + Base64.getUrlEncoder().withoutPadding().encodeToString(token.getBytes(StandardCharsets.UTF_8));
  }

  private static void assertRollup(FeedClient client) throws InterruptedException {
    String first = client.next(Duration.ofSeconds(10));
    assertNotNull(first, "no rollup within 10 s");
    assertEquals(1, json(first).get("version").asInt());
    assertEquals("rollup", json(first).get("type").asText());
  }

  /** The HTTP status of a refused feed upgrade; fails if the upgrade is accepted. */
  private static int refusedUpgrade(int port, String authorization, List<String> protocols) {
    CompletionException refused = assertThrows(CompletionException.class, () -> {
      try (FeedClient accepted = new FeedClient(port, true, authorization, protocols)) {
        throw new AssertionError("upgrade accepted with " + authorization + " / " + protocols);
      }
    });
    WebSocketHandshakeException handshake = assertInstanceOf(WebSocketHandshakeException.class, refused.getCause());
    return handshake.getResponse().statusCode();
  }

  private static HttpResponse<String> get(int port, String path, String authorization) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    try {
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** This machine's IPv4 addresses other than loopback (none on some CI machines). */
  private static List<InetAddress> otherAddresses() throws IOException {
    List<InetAddress> addresses = new ArrayList<>();
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (nic.isUp() && !nic.isLoopback()) {
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          if (address instanceof Inet4Address) {
            addresses.add(address);
          }
        }
      }
    }
    return addresses;
  }
}
