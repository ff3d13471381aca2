package io.riata.http.demo;

import static io.riata.http.TestNodes.call;
import static io.riata.http.TestNodes.json;
import static io.riata.http.TestNodes.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.riata.http.RiataServer;
import io.riata.http.TestNodes;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
}
