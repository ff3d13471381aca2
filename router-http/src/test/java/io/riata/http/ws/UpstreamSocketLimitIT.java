package io.riata.http.ws;

import static io.riata.http.TestNodes.awaitMetric;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.riata.core.config.ProviderConfig;
import io.riata.http.RiataServer;
import io.riata.http.TestNodes;
import io.riata.http.sim.SimSettings;
import io.riata.http.sim.SimulatedProvider;
import io.riata.http.sim.SimulatedSockets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each distinct {@code logs} filter holds one WebSocket to a provider, so a chain has at most
 * {@code websocket.max-upstream-sockets-per-chain} of them on a node: a subscribe with yet another
 * filter gets -32056 and opens nothing (counted at the provider's socket endpoint), while a filter
 * in use is still shared, and a filter given up makes room.
 */
class UpstreamSocketLimitIT {

  private static final int MAX = 2;
  private static SimulatedProvider provider;
  private static SimulatedSockets sockets;
  private static RiataServer server;

  @BeforeAll
  static void start() throws Exception {
    provider = SimulatedProvider.start(SimSettings.healthy("feeder", 11));
    sockets = new SimulatedSockets();
    ProviderConfig feeder = new ProviderConfig("feeder", provider.httpUrl(), sockets.open(provider), 1, 1, false,
        Set.of(), Set.of(), null, Map.of(), 64);
    server = TestNodes.start(TestNodes.config(List.of(TestNodes.chain("logs", 11, "priority", List.of(feeder))),
        List.of()), "riata.http.websocket.max-upstream-sockets-per-chain = " + MAX);
  }

  @AfterAll
  static void stop() {
    server.close();
    sockets.close();
    provider.close();
  }

  private static JsonNode subscribe(WsTestClient client, int address, int id) throws InterruptedException {
    client.send("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"eth_subscribe\",\"params\":[\"logs\","
        + "{\"address\":\"" + String.format("0x%040x", address) + "\"}]}");
    return client.next();
  }

  /** Whether the provider's socket endpoint comes to hold {@code expected} connections within 10 s. */
  private static boolean providerHolds(int expected) throws InterruptedException {
    return TestNodes.within(Duration.ofSeconds(10), () -> sockets.openConnections(provider) == expected);
  }

  @Test
  void pastTheLimitANewFilterIsRefusedAndOpensNothingWhileFiltersInUseAreShared() throws Exception {
    try (WsTestClient first = new WsTestClient(server, "/ws/rpc/logs");
         WsTestClient second = new WsTestClient(server, "/ws/rpc/logs")) {
      JsonNode a = subscribe(first, 1, 1);
      JsonNode b = subscribe(first, 2, 2);
      assertTrue(a.path("result").asText().startsWith("0x") && b.path("result").asText().startsWith("0x"), a + " " + b);
      // One socket per filter, and one for the chain's newHeads feed, which the logs feeds keep running.
      assertTrue(providerHolds(MAX + 1), "the provider holds " + sockets.openConnections(provider));

      JsonNode refused = subscribe(second, 3, 3);
      assertEquals(3, refused.path("id").asInt(), refused.toString());
      assertEquals(-32056, refused.path("error").path("code").asInt(), refused.toString());
      assertTrue(refused.path("error").path("message").asText().contains("maximum of " + MAX + " distinct logs filters"),
          refused.toString());
      assertEquals(MAX, refused.path("error").path("data").path("limit").asInt(), refused.toString());

      JsonNode shared = subscribe(second, 1, 4);
      assertTrue(shared.path("result").asText().startsWith("0x"), "a filter in use is still shared: " + shared);
      assertTrue(providerHolds(MAX + 1), "nothing more was opened: " + sockets.openConnections(provider));
      awaitMetric(server, "riata_upstream_sockets{chain=\"logs\"}", MAX + 1);

      first.send("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"eth_unsubscribe\",\"params\":[\"" + b.path("result").asText()
          + "\"]}");
      assertTrue(first.next().path("result").asBoolean());
      assertTrue(providerHolds(MAX), "the feed given up closed its socket: " + sockets.openConnections(provider));
      JsonNode room = subscribe(second, 3, 6);
      assertTrue(room.path("result").asText().startsWith("0x"), "the freed place is taken: " + room);
    }
    awaitMetric(server, "riata_logs_subscriptions_refused_total{chain=\"logs\"}", 1);
  }
}
