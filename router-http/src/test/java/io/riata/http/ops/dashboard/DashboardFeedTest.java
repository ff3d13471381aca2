package io.riata.http.ops.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.riata.core.breaker.BreakerPhase;
import io.riata.core.failover.OutcomeKind;
import io.riata.core.rollup.ChainRollup;
import io.riata.core.rollup.ClusterRollup;
import io.riata.core.rollup.Decision;
import io.riata.core.rollup.ProviderRollup;
import io.riata.core.rollup.RetryCounts;
import io.riata.core.rollup.RollupRecorder;
import io.riata.http.TestNodes;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class DashboardFeedTest {

  @Test
  void aSubscriberThatDoesNotTakeHoldsOnlyTheNewestAndCountsTheRest() {
    DashboardFeed feed = new DashboardFeed();
    DashboardFeed.Subscriber s = feed.subscribe();
    for (int i = 1; i <= 5; i++) {
      feed.publish("r" + i, i);
    }
    assertEquals("r5", s.next().toCompletableFuture().join());
    assertEquals(4, s.conflated());
    assertEquals(4, feed.conflatedTotal());
    CompletableFuture<String> waiting = s.next().toCompletableFuture();
    assertFalse(waiting.isDone(), "nothing new yet");
    feed.publish("r6", 6);
    assertEquals("r6", waiting.join());
    assertEquals(2, s.taken());
  }

  @Test
  void aNewSubscriberGetsTheLatestAtOnceAndAClosedOneNothingMore() {
    DashboardFeed feed = new DashboardFeed();
    feed.publish("r1", 1);
    DashboardFeed.Subscriber s = feed.subscribe();
    assertEquals("r1", s.next().toCompletableFuture().join());
    s.close();
    assertEquals(0, feed.subscriberCount());
  }

  @Test
  void pastItsMaximumTheFeedRefusesAndCountsUntilASubscriberLeaves() {
    DashboardFeed feed = new DashboardFeed(2);
    DashboardFeed.Subscriber first = feed.subscribe();
    DashboardFeed.Subscriber second = feed.subscribe();
    assertTrue(feed.full());
    assertNull(feed.subscribe(), "a third is over the maximum of 2");
    assertEquals(1, feed.refusedTotal());
    first.close();
    first.close();
    assertFalse(feed.full(), "closing twice frees one place, not two");
    DashboardFeed.Subscriber third = feed.subscribe();
    assertNotNull(third);
    assertNull(feed.subscribe());
    assertEquals(2, feed.refusedTotal());
    assertEquals(Set.of(second, third), feed.subscribers());
  }

  @Test
  void writesVersionedJsonWithRatesAndPercentiles() {
    RollupRecorder r = new RollupRecorder(8, 4);
    for (int i = 0; i < 100; i++) {
      r.attempt("p1", "eth_call", i < 10 ? OutcomeKind.TIMEOUT : OutcomeKind.SUCCESS, (i + 1) * 100_000L);
      r.request("p1", "eth_call", 1, false);
    }
    RollupRecorder.Drained d = r.drain();
    ClusterRollup rollup = new ClusterRollup(1, 9, 1000, 500, "pekko://riata@h:1", 5,
        List.of(new ClusterRollup.Member("pekko://riata@h:1", "up")), List.of("n1"),
        List.of(new ChainRollup("c", 77, 3, List.of(new ProviderRollup("p1", 75, 2, BreakerPhase.HALF_OPEN, false,
            false, 0, d.providers().get("p1"))),
            List.of(new Decision(1, "c", "p1", "eth_call", "SUCCESS", 1500, 2, "failover: p0 http 503"),
                new Decision(2, "c", "p1", "eth_call", "SUCCESS", 900, 2, "hedged: p0 cancelled", true, true)),
            0, new RetryCounts(3, 4, 5, 2))));
    JsonNode json = TestNodes.json(DashboardJson.write(rollup));
    assertEquals(1, json.get("version").asInt());
    assertEquals(9, json.get("seq").asLong());
    JsonNode chain = json.get("chains").get(0);
    assertEquals(100, chain.get("requests").asLong());
    JsonNode p = chain.get("providers").get(0);
    assertEquals("half_open", p.get("breaker").asText());
    assertEquals(2, p.get("lag").asLong());
    assertEquals(10, p.get("outcomes").get("timeout").asLong());
    assertEquals(0.9, p.get("successRate").asDouble(), 1e-9);
    double p50 = p.get("latencyMs").get("p50").asDouble();
    assertTrue(p50 >= 5.0 * 0.875 && p50 <= 5.0 * 1.125, "p50 " + p50);
    assertEquals("success", chain.get("decisions").get(0).get("outcome").asText());
    assertEquals(1.5, chain.get("decisions").get(0).get("latencyMs").asDouble(), 1e-9);
    assertFalse(chain.get("decisions").get(0).get("hedged").asBoolean());
    assertTrue(chain.get("decisions").get(1).get("hedged").asBoolean());
    assertTrue(chain.get("decisions").get(1).get("hedgeWon").asBoolean());
    assertEquals(List.of(3L, 4L, 5L, 2L), List.of(chain.get("retries").asLong(), chain.get("retriesDenied").asLong(),
        chain.get("hedges").asLong(), chain.get("hedgesWon").asLong()));
  }
}
