package io.riata.http.ws;

import static io.riata.http.TestNodes.call;
import static io.riata.http.TestNodes.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.riata.http.RiataServer;
import io.riata.http.TestNodes;
import io.riata.http.sim.SimSettings;
import io.riata.http.sim.SimulatedProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** JSON-RPC over a real WebSocket on loopback: the same answers, routes and failover as HTTP. */
class WsRpcIT {

  private static SimulatedProvider a1;
  private static SimulatedProvider a2;
  private static RiataServer server;

  @BeforeAll
  static void start() throws Exception {
    a1 = SimulatedProvider.start(SimSettings.healthy("a1", 5));
    a2 = SimulatedProvider.start(SimSettings.healthy("a2", 5));
    server = TestNodes.start(TestNodes.config(List.of(TestNodes.chain("alpha", 5, "round-robin", List.of(
            TestNodes.provider("a1", a1.httpUrl(), 1), TestNodes.provider("a2", a2.httpUrl(), 2)))), List.of()),
        "riata.http.websocket.max-message-size = 2048");
  }

  @AfterAll
  static void stop() {
    server.close();
    a1.close();
    a2.close();
  }

  @Test
  void answersSingleRequestsAndBatches() throws Exception {
    try (WsTestClient c = new WsTestClient(server, "/ws/rpc/alpha")) {
      c.send(call("eth_blockNumber", "[]", 1));
      JsonNode single = c.next();
      assertEquals(1, single.get("id").asInt());
      assertTrue(single.get("result").asText().startsWith("0x"));
      c.send("[" + call("eth_chainId", "[]", 2) + "," + call("eth_gasPrice", "[]", 3) + "]");
      JsonNode batch = c.next();
      assertEquals(2, batch.size());
      assertEquals("0x5", batch.get(0).get("result").asText());
    }
  }

  @Test
  void pipelinedRequestsAreAllAnsweredAndMatchedById() throws Exception {
    try (WsTestClient c = new WsTestClient(server, "/ws/rpc/round-robin/alpha")) {
      for (int i = 0; i < 200; i++) {
        c.send(call("eth_getBalance", String.format("[\"0x%040x\",\"latest\"]", i), i));
      }
      Set<Integer> ids = new HashSet<>();
      for (int i = 0; i < 200; i++) {
        JsonNode answer = c.next();
        assertTrue(answer.has("result"), answer.toString());
        ids.add(answer.get("id").asInt());
      }
      assertEquals(200, ids.size());
    }
  }

  @Test
  void errorsAreTheSameAsOverHttp() throws Exception {
    try (WsTestClient c = new WsTestClient(server, "/ws/rpc/alpha")) {
      c.send("{\"jsonrpc\":\"2.0\",");
      JsonNode parse = c.next();
      assertEquals(-32700, parse.get("error").get("code").asInt());
      assertTrue(parse.get("id").isNull());
      c.send("{\"jsonrpc\":\"2.0\",\"method\":\"eth_blockNumber\"}"); // a notification: no answer
      c.send(call("eth_chainId", "[]", 10));
      assertEquals(10, c.next().get("id").asInt(), "the notification got no answer; the socket still works");
      assertNull(c.received.poll(300, TimeUnit.MILLISECONDS));
    }
  }

  @Test
  void subscribingOnAChainWithoutWebSocketProvidersIsRefusedClearly() throws Exception {
    try (WsTestClient c = new WsTestClient(server, "/ws/rpc/alpha")) {
      c.send(call("eth_subscribe", "[\"newHeads\"]", 1));
      JsonNode refused = c.next();
      assertEquals(-32051, refused.get("error").get("code").asInt(), refused.toString());
      assertTrue(refused.get("error").get("message").asText().contains("ws_url"), refused.toString());
      c.send(call("eth_subscribe", "[\"logs\",{\"fromBlock\":\"0x1\"}]", 2));
      JsonNode badFilter = c.next();
      assertEquals(-32602, badFilter.get("error").get("code").asInt(), badFilter.toString());
      assertTrue(badFilter.get("error").get("message").asText().contains("fromBlock"), badFilter.toString());
      c.send(call("eth_subscribe", "[\"newPendingTransactions\"]", 3));
      assertEquals(-32602, c.next().get("error").get("code").asInt());
    }
  }

  @Test
  void aMessageOverTheSizeLimitClosesTheConnectionWith1009() throws Exception {
    try (WsTestClient c = new WsTestClient(server, "/ws/rpc/alpha")) {
      c.send(call("eth_chainId", "[]", 1));
      assertEquals(1, c.next().get("id").asInt());
      c.send(call("eth_call", "[\"" + "a".repeat(3000) + "\"]", 2));
      c.awaitClose(Duration.ofSeconds(5));
      assertEquals(1009, c.closedWith);
      assertTrue(c.closeReason.contains("2048"), c.closeReason);
    }
  }

  @Test
  void anUnknownChainIsRefusedAtTheHandshake() {
    CompletionException e = assertThrows(CompletionException.class, () -> new WsTestClient(server, "/ws/rpc/nowhere"));
    WebSocketHandshakeException handshake = (WebSocketHandshakeException) e.getCause();
    assertEquals(404, handshake.getResponse().statusCode());
  }

  @Test
  void readsFailOverWhenAProviderDies() throws Exception {
    try (WsTestClient c = new WsTestClient(server, "/ws/rpc/round-robin/alpha")) {
      a1.kill();
      for (int i = 0; i < 30; i++) {
        c.send(call("eth_getBalance", String.format("[\"0x%040x\",\"latest\"]", i), i));
        JsonNode answer = c.next();
        assertTrue(answer.has("result"), "read " + i + " failed: " + answer);
      }
    } finally {
      a1.revive();
    }
  }
}
