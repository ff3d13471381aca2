package io.riata.http.data;

import static io.riata.http.TestNodes.call;
import static io.riata.http.TestNodes.json;
import static io.riata.http.data.RawHttp.closedByServer;
import static io.riata.http.data.RawHttp.post;
import static io.riata.http.data.RawHttp.read;
import static io.riata.http.data.RawHttp.send;
import static io.riata.http.data.RawHttp.socket;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.riata.http.RiataServer;
import io.riata.http.TestNodes;
import io.riata.http.data.RawHttp.Reply;
import io.riata.http.sim.SimSettings;
import io.riata.http.sim.SimulatedProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The RPC port's HTTP rules, spoken to over raw sockets where a client library would hide them:
 * limits answered before any provider is asked, timeouts, pipelining, CORS, compression and the
 * WebSocket origin check.
 */
class RpcListenerIT {

  private static SimulatedProvider provider;
  private static RiataServer server;
  private static RiataServer strict;

  @BeforeAll
  static void start() throws Exception {
    provider = SimulatedProvider.start(SimSettings.healthy("p1", 5));
    var chains = TestNodes.config(List.of(TestNodes.chain("alpha", 5, "priority",
        List.of(TestNodes.provider("p1", provider.httpUrl(), 1)))), List.of());
    server = TestNodes.start(chains, """
        riata.http.limits.max-body-size = 4KiB
        riata.http.limits.max-header-size = 2KiB
        riata.http.limits.body-read-timeout = 300ms
        riata.http.limits.idle-timeout = 700ms
        """);
    strict = TestNodes.start(chains, """
        riata.http.cors.allowed-origins = ["https://app.example"]
        riata.http.websocket.allowed-origins = ["https://app.example"]
        """);
  }

  @AfterAll
  static void stop() {
    server.close();
    strict.close();
    provider.close();
  }

  @Test
  void aBodyDeclaredTooLargeIs413BeforeItIsSent() throws IOException {
    try (Socket s = socket(server)) {
      // Only the headers: the answer must not wait for a body Riata will not take.
      send(s, "POST /rpc/alpha HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n");
      Reply r = read(s.getInputStream());
      assertEquals(413, r.status(), r.text());
      assertEquals(-32600, json(r.text()).path("error").path("code").asInt());
      assertTrue(r.text().contains("4096"), r.text());
      assertEquals("close", r.headers().get("connection"));
      assertTrue(closedByServer(s.getInputStream()));
    }
    assertEquals(0, provider.requests("eth_call"));
  }

  @Test
  void aChunkedBodyThatGrowsPastTheLimitIs413() throws IOException {
    try (Socket s = socket(server)) {
      send(s, "POST /rpc/alpha HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
      String chunk = "a".repeat(3000);
      for (int i = 0; i < 2; i++) {
        send(s, Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n");
      }
      Reply r = read(s.getInputStream());
      assertEquals(413, r.status(), r.text());
    }
  }

  @Test
  void headersOverTheLimitAre431() throws IOException {
    try (Socket s = socket(server)) {
      send(s, post("/rpc/alpha", call("eth_blockNumber", "[]", 1), "X-Filler: " + "f".repeat(4000)));
      Reply r = read(s.getInputStream());
      assertEquals(431, r.status(), r.text());
      assertEquals(-32600, json(r.text()).path("error").path("code").asInt());
    }
  }

  @Test
  void aBodyThatArrivesTooSlowlyIs408() throws Exception {
    try (Socket s = socket(server)) {
      String body = call("eth_blockNumber", "[]", 1);
      send(s, "POST /rpc/alpha HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
          + body.length() + "\r\n\r\n" + body.substring(0, 10));
      Reply r = read(s.getInputStream());
      assertEquals(408, r.status(), r.text());
      assertEquals(-32600, json(r.text()).path("error").path("code").asInt());
      assertTrue(closedByServer(s.getInputStream()));
    }
  }

  @Test
  void onlyPostReachesTheRpcRoutes() throws IOException {
    try (Socket s = socket(server)) {
      send(s, "GET /rpc/alpha HTTP/1.1\r\nHost: x\r\n\r\n");
      Reply r = read(s.getInputStream());
      assertEquals(405, r.status());
      assertEquals("POST, OPTIONS", r.headers().get("allow"));
      assertEquals(-32600, json(r.text()).path("error").path("code").asInt());
    }
  }

  @Test
  void anUnknownPathOrChainIs404WithWhatExists() throws IOException {
    try (Socket s = socket(server)) {
      send(s, "GET /dashboard HTTP/1.1\r\nHost: x\r\n\r\n");
      Reply r = read(s.getInputStream());
      assertEquals(404, r.status());
      assertEquals(-32052, json(r.text()).path("error").path("code").asInt());
      send(s, post("/rpc/nowhere", call("eth_blockNumber", "[]", 1)));
      Reply chain = read(s.getInputStream());
      assertEquals(404, chain.status());
      assertTrue(json(chain.text()).path("error").path("data").path("chains").toString().contains("alpha"));
    }
  }

  @Test
  void anIdleConnectionIsClosed() throws Exception {
    try (Socket s = socket(server)) {
      send(s, post("/rpc/alpha", call("eth_blockNumber", "[]", 1)));
      assertEquals(200, read(s.getInputStream()).status());
      long started = System.nanoTime();
      assertTrue(closedByServer(s.getInputStream()), "the idle connection should be closed by the server");
      assertTrue(System.nanoTime() - started < Duration.ofSeconds(5).toNanos());
    }
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws IOException {
    try (Socket s = socket(server)) {
      StringBuilder three = new StringBuilder();
      for (int id = 1; id <= 3; id++) {
        three.append(post("/rpc/alpha", call(id == 2 ? "eth_chainId" : "eth_blockNumber", "[]", id)));
      }
      send(s, three.toString()); // one write: the second is answered by Riata itself, faster
      for (int id = 1; id <= 3; id++) {
        Reply r = read(s.getInputStream());
        assertEquals(200, r.status());
        assertEquals(id, json(r.text()).path("id").asInt());
      }
    }
  }

  @Test
  void http10KeepAliveIsHonoured() throws IOException {
    try (Socket s = socket(server)) {
      String body = call("eth_blockNumber", "[]", 7);
      send(s, "POST /rpc/alpha HTTP/1.0\r\nConnection: keep-alive\r\nContent-Type: application/json\r\nContent-Length: "
          + body.length() + "\r\n\r\n" + body);
      Reply r = read(s.getInputStream());
      assertEquals(200, r.status());
      assertEquals("keep-alive", r.headers().get("connection"));
      send(s, "POST /rpc/alpha HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: "
          + body.length() + "\r\n\r\n" + body);
      assertEquals(200, read(s.getInputStream()).status());
      assertTrue(closedByServer(s.getInputStream()), "HTTP/1.0 without keep-alive is closed after the answer");
    }
  }

  @Test
  void aPreflightIsAnsweredAndAnswersCarryCorsHeaders() throws IOException {
    try (Socket s = socket(server)) {
      send(s, "OPTIONS /rpc/alpha HTTP/1.1\r\nHost: x\r\nOrigin: https://anyone.example\r\n"
          + "Access-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: content-type\r\n\r\n");
      Reply pre = read(s.getInputStream());
      assertTrue(pre.status() == 200 || pre.status() == 204, "preflight status " + pre.status());
      assertEquals("*", pre.headers().get("access-control-allow-origin"));
      assertTrue(pre.headers().get("access-control-allow-methods").contains("POST"));
      assertTrue(pre.headers().get("access-control-allow-headers").toLowerCase(Locale.ROOT).contains("content-type"));
      send(s, post("/rpc/alpha", call("eth_blockNumber", "[]", 1), "Origin: https://anyone.example"));
      Reply r = read(s.getInputStream());
      assertEquals(200, r.status());
      assertEquals("*", r.headers().get("access-control-allow-origin"));
      assertTrue(String.valueOf(r.headers().get("access-control-expose-headers")).contains("X-Riata-Provider"), r.headers().toString());
    }
  }

  @Test
  void aConfiguredOriginListLeavesOthersWithoutCors() throws IOException {
    try (Socket s = socket(strict)) {
      send(s, post("/rpc/alpha", call("eth_blockNumber", "[]", 1), "Origin: https://app.example"));
      Reply allowed = read(s.getInputStream());
      assertEquals("https://app.example", allowed.headers().get("access-control-allow-origin"));
      send(s, post("/rpc/alpha", call("eth_blockNumber", "[]", 2), "Origin: https://evil.example"));
      Reply other = read(s.getInputStream());
      assertNull(other.headers().get("access-control-allow-origin"), other.headers().toString());
    }
  }

  @Test
  void largeAnswersAreGzippedForClientsThatAcceptIt() throws IOException {
    StringBuilder batch = new StringBuilder("[");
    for (int i = 0; i < 40; i++) {
      batch.append(i > 0 ? "," : "").append(call("eth_chainId", "[]", i));
    }
    String body = batch.append("]").toString();
    try (Socket s = socket(server)) {
      send(s, post("/rpc/alpha", body, "Accept-Encoding: gzip"));
      Reply zipped = read(s.getInputStream());
      assertEquals("gzip", zipped.headers().get("content-encoding"));
      JsonNode answer = json(new String(new GZIPInputStream(new ByteArrayInputStream(zipped.body())).readAllBytes(),
          StandardCharsets.UTF_8));
      assertEquals(40, answer.size());
      send(s, post("/rpc/alpha", call("eth_chainId", "[]", 1), "Accept-Encoding: gzip"));
      Reply small = read(s.getInputStream());
      assertNull(small.headers().get("content-encoding"), "a small answer is sent as it is");
      send(s, post("/rpc/alpha", body));
      assertNull(read(s.getInputStream()).headers().get("content-encoding"), "not without Accept-Encoding");
    }
  }

  @Test
  void websocketUpgradesFromOtherOriginsAreRefusedWhenOriginsAreConfigured() {
    HttpClient http = HttpClient.newHttpClient();
    URI uri = URI.create("ws://127.0.0.1:" + strict.port() + "/ws/rpc/alpha");
    CompletionException refused = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, () ->
        http.newWebSocketBuilder().header("Origin", "https://evil.example")
            .buildAsync(uri, new WebSocket.Listener() { }).join());
    assertTrue(refused.getCause() instanceof WebSocketHandshakeException, String.valueOf(refused.getCause()));
    assertEquals(403, ((WebSocketHandshakeException) refused.getCause()).getResponse().statusCode());
    WebSocket listed = http.newWebSocketBuilder().header("Origin", "https://app.example")
        .buildAsync(uri, new WebSocket.Listener() { }).join();
    listed.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
    WebSocket noOrigin = http.newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() { }).join();
    noOrigin.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
  }

  @Test
  void aRequestOnAWebSocketRouteWithoutUpgradeIs400() throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/ws/rpc/alpha")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(400, r.statusCode());
    assertFalse(r.body().isEmpty());
  }
}
