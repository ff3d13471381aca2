package io.riata.http.demo;

import static io.riata.http.TestNodes.call;
import static io.riata.http.TestNodes.json;
import static io.riata.http.TestNodes.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.riata.http.RiataServer;
import io.riata.http.TestNodes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What {@code riata --demo} starts: both demo chains answer, although one provider of each fails
 * one call in six and another throttles, because failover hides both.
 */
class DemoIT {

  private static DemoProviders demo;
  private static RiataServer server;

  @BeforeAll
  static void start() throws Exception {
    demo = DemoProviders.start();
    server = TestNodes.start(demo.chainsConfig(), "");
  }

  @AfterAll
  static void stop() {
    server.close();
    demo.close();
  }

  @ParameterizedTest
  @CsvSource({"ethereum, 0x1", "polygon, 0x89", "1, 0x1", "137, 0x89"})
  void everyReadSucceedsOnBothChains(String chain, String chainIdHex) {
    Map<String, Integer> answeredBy = new HashMap<>();
    for (int i = 0; i < 60; i++) {
      HttpResponse<String> r = post(server, "/rpc/" + chain, call("eth_blockNumber", "[]", i));
      JsonNode body = json(r.body());
      assertEquals(200, r.statusCode());
      assertTrue(body.has("result"), "request " + i + " failed: " + r.body());
      answeredBy.merge(r.headers().firstValue("X-Riata-Provider").orElse("?"), 1, Integer::sum);
    }
    assertEquals(chainIdHex, json(post(server, "/rpc/" + chain, call("eth_chainId", "[]", 1)).body()).get("result").asText());
    System.out.println("demo " + chain + ": answered by " + answeredBy);
  }

  @Test
  void newHeadsCanBeTriedOnTheDemo() throws Exception {
    LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/ws/rpc/polygon"), new WebSocket.Listener() {
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
        }).join();
    try {
      socket.sendText(call("eth_subscribe", "[\"newHeads\"]", 1), true).join();
      JsonNode subscribed = json(received.poll(10, TimeUnit.SECONDS));
      String id = subscribed.get("result").asText();
      JsonNode previous = null;
      for (int i = 0; i < 3; i++) { // polygon's demo blocks come every second
        String text = received.poll(10, TimeUnit.SECONDS);
        assertTrue(text != null, "no head within 10 s");
        JsonNode params = json(text).get("params");
        assertEquals(id, params.get("subscription").asText());
        JsonNode head = params.get("result");
        if (previous != null) {
          assertEquals(Long.decode(previous.get("number").asText()) + 1, Long.decode(head.get("number").asText()));
          assertEquals(previous.get("hash").asText(), head.get("parentHash").asText());
        }
        previous = head;
      }
      JsonNode sameOverHttp = json(post(server, "/rpc/polygon",
          call("eth_getBlockByNumber", "[\"" + previous.get("number").asText() + "\",false]", 2)).body()).get("result");
      assertEquals(previous.get("hash").asText(), sameOverHttp.get("hash").asText());
    } finally {
      socket.abort();
    }
  }
}
