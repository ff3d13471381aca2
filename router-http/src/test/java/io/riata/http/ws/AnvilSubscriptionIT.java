package io.riata.http.ws;

import static io.riata.http.TestNodes.call;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.riata.core.config.ChainConfig;
import io.riata.core.config.ProviderConfig;
import io.riata.http.RiataServer;
import io.riata.http.TestNodes;
import io.riata.http.anvil.AnvilProcess;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.RawTransactionManager;
import org.web3j.tx.response.PollingTransactionReceiptProcessor;

/**
 * {@code eth_subscribe} ({@code newHeads} and {@code logs}) through Riata against real nodes: two Anvil instances mining a
 * block a second, each with a WebSocket. The heads a client gets through Riata are the heads the
 * node sends; when the serving node dies, the feed moves to the other one, and the client still
 * sees every block number once, in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AnvilSubscriptionIT {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static AnvilProcess first;
  private static AnvilProcess second;
  private static RiataServer server;

  @BeforeAll
  static void start() throws Exception {
    first = AnvilProcess.start(Duration.ofSeconds(1));
    second = AnvilProcess.start(Duration.ofSeconds(1));
    List<ProviderConfig> providers = List.of(
        new ProviderConfig("anvil-1", first.httpUrl(), first.wsUrl(), 1, 1, false, Set.of(), Set.of(), null, Map.of(), 64),
        new ProviderConfig("anvil-2", second.httpUrl(), second.wsUrl(), 2, 1, false, Set.of(), Set.of(), null, Map.of(), 64));
    server = TestNodes.start(TestNodes.config(List.of(new ChainConfig(
        "anvil", AnvilProcess.CHAIN_ID, Duration.ofSeconds(1), 3, "priority", 128, providers)), List.of()), "");
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (first != null) {
      first.close();
    }
    if (second != null) {
      second.close();
    }
  }

  private static String subscribe(WsTestClient c, int id) throws InterruptedException {
    c.send(call("eth_subscribe", "[\"newHeads\"]", id));
    JsonNode answer = c.next();
    assertEquals(id, answer.get("id").asInt(), answer.toString());
    String subscription = answer.get("result").asText();
    assertTrue(subscription.startsWith("0x"), answer.toString());
    return subscription;
  }

  /** The next {@code n} heads of a subscription, in the order received. */
  private static List<JsonNode> heads(WsTestClient c, String subscription, int n) throws InterruptedException {
    List<JsonNode> heads = new ArrayList<>();
    while (heads.size() < n) {
      JsonNode message = c.next();
      assertEquals("eth_subscription", message.get("method").asText(), message.toString());
      assertEquals(subscription, message.get("params").get("subscription").asText());
      heads.add(message.get("params").get("result"));
    }
    return heads;
  }

  private static long number(JsonNode head) {
    return Long.decode(head.get("number").asText());
  }

  /** Fails unless {@code heads} has each block number once, each one above the one before. */
  private static void assertConsecutive(List<JsonNode> heads) {
    List<Long> numbers = heads.stream().map(AnvilSubscriptionIT::number).toList();
    for (int i = 1; i < numbers.size(); i++) {
      assertEquals(numbers.get(i - 1) + 1, numbers.get(i), "not each block once and in order: " + numbers);
    }
  }

  /** The heads by block number (each number once: see {@link #assertConsecutive}). */
  private static Map<Long, JsonNode> byNumber(List<JsonNode> heads) {
    Map<Long, JsonNode> map = new LinkedHashMap<>();
    heads.forEach(h -> map.put(number(h), h));
    return map;
  }

  @Test
  @Order(1)
  void headsThroughRiataAreTheHeadsTheNodeSends() throws Exception {
    try (WsTestClient viaRiata = new WsTestClient(server, "/ws/rpc/anvil");
         WsTestClient direct = new WsTestClient(first.wsUrl())) {
      String riataSub = subscribe(viaRiata, 1);
      String directSub = subscribe(direct, 1);
      List<JsonNode> riataHeads = heads(viaRiata, riataSub, 4);
      List<JsonNode> nodeHeads = heads(direct, directSub, 4);
      assertConsecutive(riataHeads);
      assertConsecutive(nodeHeads);
      Map<Long, JsonNode> throughRiata = byNumber(riataHeads);
      Map<Long, JsonNode> fromNode = byNumber(nodeHeads);
      int compared = 0;
      for (var e : throughRiata.entrySet()) {
        JsonNode same = fromNode.get(e.getKey());
        if (same != null) {
          assertEquals(same, e.getValue(), "block " + e.getKey() + " differs");
          compared++;
        }
      }
      assertTrue(compared >= 2, "too few blocks in common: " + throughRiata.keySet() + " vs " + fromNode.keySet());
      viaRiata.send(call("eth_unsubscribe", "[\"" + riataSub + "\"]", 2));
      JsonNode unsubscribed = viaRiata.next();
      while (unsubscribed.has("method")) { // a head that was already on its way
        unsubscribed = viaRiata.next();
      }
      assertTrue(unsubscribed.get("result").asBoolean(), unsubscribed.toString());
    }
  }

  /**
   * A contract with no functions: any call emits one log (topic 0xaa, data 0x42). Init code copies
   * the 13-byte runtime {@code 6042600052 60aa 6020 6000 a1 00} into memory and returns it.
   */
  private static final String EMITTER = "0x600d600c600039600d6000f3" + "604260005260aa60206000a100";

  @Test
  @Order(2)
  void logsThroughRiataAreTheLogsTheNodeSends() throws Exception {
    Web3j web3 = Web3j.build(new HttpService(first.httpUrl().toString()));
    try {
      RawTransactionManager manager = new RawTransactionManager(web3, Credentials.create(AnvilProcess.DEV_KEY),
          AnvilProcess.CHAIN_ID, new PollingTransactionReceiptProcessor(web3, 200, 100));
      BigInteger gasPrice = BigInteger.valueOf(10_000_000_000L);
      BigInteger gas = BigInteger.valueOf(200_000);
      String deployed = manager.sendTransaction(gasPrice, gas, null, EMITTER, BigInteger.ZERO).getTransactionHash();
      String contract = new PollingTransactionReceiptProcessor(web3, 200, 100)
          .waitForTransactionReceipt(deployed).getContractAddress();
      assertTrue(contract != null && contract.startsWith("0x"), "no contract address");
      String filter = "{\"address\":\"" + contract + "\",\"topics\":[\"0x" + "0".repeat(62) + "aa\"]}";
      try (WsTestClient viaRiata = new WsTestClient(server, "/ws/rpc/anvil");
           WsTestClient direct = new WsTestClient(first.wsUrl())) {
        viaRiata.send(call("eth_subscribe", "[\"logs\"," + filter + "]", 1));
        direct.send(call("eth_subscribe", "[\"logs\"," + filter + "]", 1));
        String riataSub = viaRiata.next().get("result").asText();
        String directSub = direct.next().get("result").asText();
        Thread.sleep(300); // both subscriptions are in place upstream before the first call
        for (int i = 0; i < 4; i++) {
          manager.sendTransaction(gasPrice, gas, contract, "0x", BigInteger.ZERO);
        }
        List<JsonNode> throughRiata = logs(viaRiata, riataSub, 4);
        List<JsonNode> fromNode = logs(direct, directSub, 4);
        assertEquals(fromNode, throughRiata);
        assertEquals("0x" + "0".repeat(62) + "42", throughRiata.get(0).get("data").asText());
        System.out.printf("logs: %d through Riata equal to the node's, blocks %s%n", throughRiata.size(),
            throughRiata.stream().map(l -> Long.decode(l.get("blockNumber").asText())).distinct().toList());
      }
    } finally {
      web3.shutdown();
    }
  }

  private static List<JsonNode> logs(WsTestClient c, String subscription, int n) throws InterruptedException {
    List<JsonNode> logs = new ArrayList<>();
    while (logs.size() < n) {
      JsonNode message = c.next();
      assertEquals(subscription, message.get("params").get("subscription").asText(), message.toString());
      logs.add(message.get("params").get("result"));
    }
    return logs;
  }

  /**
   * The sequence a client sees across the failover, the heads from before the kill included: every
   * block number once and consecutive, each head the child of the one before by parent hash, with
   * one exception: the seam where the heads of the dead node's chain end and those of the other
   * node's chain begin (two Anvils are two chains). Heads before the seam are the first node's
   * blocks (checked against it while it lives); heads after it are the second node's.
   */
  @Test
  @Order(3)
  void whenTheServingNodeDiesTheFeedMovesOnWithNoGapAndNoDuplicate() throws Exception {
    try (WsTestClient c = new WsTestClient(server, "/ws/rpc/anvil")) {
      String sub = subscribe(c, 1);
      List<JsonNode> seen = new ArrayList<>(heads(c, sub, 2));
      for (JsonNode head : seen) {
        assertEquals(head.get("hash").asText(), hashOf(first, number(head)), "a head before the kill is not the first node's");
      }
      long killed = System.nanoTime();
      first.close();
      seen.addAll(heads(c, sub, 5));
      long lastMs = (System.nanoTime() - killed) / 1_000_000;
      List<Long> numbers = seen.stream().map(AnvilSubscriptionIT::number).toList();
      assertConsecutive(seen);
      int seam = -1;
      for (int i = 1; i < seen.size(); i++) {
        String parent = seen.get(i).get("parentHash").asText();
        if (!parent.equalsIgnoreCase(seen.get(i - 1).get("hash").asText())) {
          assertEquals(-1, seam, "more than one break in the parent links: " + numbers);
          seam = i;
        }
      }
      assertTrue(seam > 0, "no seam: the feed never moved to the second node: " + numbers);
      System.out.printf("newHeads failover: blocks %s (2 before the kill), the second node's from %d on,"
          + " the last %d ms after the kill%n", numbers, numbers.get(seam), lastMs);
      for (int i = seam; i < seen.size(); i++) {
        JsonNode head = seen.get(i);
        assertEquals(head.get("hash").asText(), hashOf(second, number(head)),
            "block " + number(head) + " after the seam is not the second node's");
      }
    }
  }

  /** The hash of block {@code number} on {@code node}, asked over its own HTTP endpoint. */
  private static String hashOf(AnvilProcess node, long number) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(node.httpUrl())
        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(5))
        .POST(HttpRequest.BodyPublishers.ofString(call("eth_getBlockByNumber", "[\"0x" + Long.toHexString(number) + "\",false]", 1)))
        .build(), HttpResponse.BodyHandlers.ofString());
    JsonNode block = TestNodes.json(r.body()).get("result");
    assertTrue(block != null && block.isObject(), "no block " + number + " on " + node.httpUrl() + ": " + r.body());
    return block.get("hash").asText();
  }
}
