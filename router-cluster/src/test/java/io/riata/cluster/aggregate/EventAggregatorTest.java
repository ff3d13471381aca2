package io.riata.cluster.aggregate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.riata.cluster.RiataConfig;
import io.riata.cluster.node.ClusterSettings;
import io.riata.core.breaker.BreakerPhase;
import io.riata.core.failover.OutcomeKind;
import io.riata.core.rollup.ChainRollup;
import io.riata.core.rollup.ClusterRollup;
import io.riata.core.rollup.Decision;
import io.riata.core.rollup.MethodStats;
import io.riata.core.rollup.NodeRollup;
import io.riata.core.rollup.ProviderRollup;
import io.riata.core.rollup.RetryCounts;
import io.riata.core.rollup.RollupRecorder;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The aggregator in a single-node cluster, fed by hand-made node rollups. */
class EventAggregatorTest {

  private static final ClusterSettings.Dashboard SETTINGS =
      new ClusterSettings.Dashboard(Duration.ofMillis(100), 5, 16, 100);
  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("aggregator-test", RiataConfig.load(ConfigFactory.parseString("""
        pekko.remote.artery.canonical.port = 0
        pekko.loglevel = WARNING
        """)));
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void mergesTheRollupsOfATickIntoOnePublishedRollupAndKeepsStatesWhenNobodyReports() {
    TestProbe<EventAggregator.RollupPublished> subscriber = testKit.createTestProbe();
    ActorRef<Topic.Command<EventAggregator.RollupPublished>> topic =
        testKit.spawn(Topic.create(EventAggregator.RollupPublished.class, EventAggregator.TOPIC));
    topic.tell(Topic.subscribe(subscriber.getRef()));
    ActorRef<EventAggregator.Command> aggregator =
        testKit.spawn(EventAggregator.create(SETTINGS, System::currentTimeMillis));
    subscriber.expectNoMessage(Duration.ofMillis(400)); // nothing heard yet: nothing published
    // The subscription reaches the topic's registry asynchronously: report until a rollup arrives.
    subscriber.awaitAssert(Duration.ofSeconds(10), () -> {
      aggregator.tell(new EventAggregator.SubmitRollup(node("warm-up", "w", 1, 1)));
      subscriber.expectMessageClass(EventAggregator.RollupPublished.class, Duration.ofMillis(300));
      return null;
    });
    aggregator.tell(new EventAggregator.SubmitRollup(node("n1", "c", 3, 10)));
    aggregator.tell(new EventAggregator.SubmitRollup(node("n2", "c", 4, 11)));
    // Usually one tick holds both; a tick may fall between them, so add up until both were seen.
    java.util.Set<String> seen = new java.util.TreeSet<>();
    long requests = 0;
    long successes = 0;
    long latencies = 0;
    long head = -1;
    RetryCounts retries = RetryCounts.NONE;
    ClusterRollup merged = null;
    for (int i = 0; i < 20 && seen.size() < 2; i++) {
      merged = subscriber.receiveMessage(Duration.ofSeconds(2)).rollup();
      seen.addAll(merged.reportingNodes());
      seen.retainAll(List.of("n1", "n2"));
      ChainRollup chain = merged.chains().stream().filter(c -> c.chain().equals("c")).findFirst().orElse(null);
      if (chain == null) {
        continue; // a tick holding the last warm-up report only
      }
      head = Math.max(head, chain.chainHead());
      retries = retries.plus(chain.retries());
      for (MethodStats stats : chain.providers().get(0).methods()) {
        requests += stats.requests();
        successes += stats.outcomes().success();
        latencies += stats.latency().count();
      }
    }
    assertEquals(java.util.Set.of("n1", "n2"), seen);
    assertEquals(ClusterRollup.SCHEMA_VERSION, merged.version());
    assertEquals(1, merged.members().size());
    assertEquals(new ClusterRollup.Member(merged.aggregator(), "up"), merged.members().get(0));
    assertEquals(11, head);
    assertEquals(7, requests);
    assertEquals(7, successes);
    assertEquals(7, latencies);
    assertEquals(new RetryCounts(7, 2, 14, 7), retries, "retries and hedges add up over the nodes");

    ClusterRollup quiet = subscriber.receiveMessage(Duration.ofSeconds(2)).rollup();
    assertEquals(merged.seq() + 1, quiet.seq());
    ChainRollup kept = chain(quiet, "c");
    assertEquals(11, kept.chainHead(), "states survive a tick without reports");
    assertEquals(List.of(), kept.providers().get(0).methods(), "but no traffic is invented");
    assertEquals(RetryCounts.NONE, kept.retries(), "nor retries");
  }

  @Test
  void messagesSurviveSerialization() {
    var kit = testKit.serializationTestKit();
    NodeRollup node = node("n1", "c", 2, 5);
    kit.verifySerialization(new EventAggregator.SubmitRollup(node), true);
    ClusterRollup cluster = new ClusterRollup(1, 3, 100, 500, "pekko://riata@h:1", 7, List.of(new ClusterRollup.Member("pekko://riata@h:1", "up")),
        List.of("n1"), node.chains());
    kit.verifySerialization(new EventAggregator.RollupPublished(cluster), true);
  }

  @Test
  void aBusyChainsRollupStaysWellUnderTheLargeMessageFrame() throws Exception {
    // Worst case per chain: 5 providers x 64 methods, every latency bucket from 100 us to 60 s used.
    RollupRecorder recorder = new RollupRecorder(64, 20);
    for (int p = 0; p < 5; p++) {
      for (int m = 0; m < 64; m++) {
        for (long us = 100; us < 60_000_000; us = us * 9 / 8 + 1) {
          recorder.attempt("provider-" + p, "eth_method_" + m, OutcomeKind.SUCCESS, us * 1000);
        }
        recorder.request("provider-" + p, "eth_method_" + m, 1, false);
        recorder.sample(new Decision(1, "c", "provider-" + p, "eth_method_" + m, "SUCCESS", 1500, 1,
            "first choice (fastest)"));
      }
    }
    RollupRecorder.Drained d = recorder.drain();
    List<ProviderRollup> providers = d.providers().entrySet().stream()
        .map(e -> new ProviderRollup(e.getKey(), 1, 0, BreakerPhase.CLOSED, false, false, 0, e.getValue())).toList();
    NodeRollup node = new NodeRollup("n", 1, 0, 500, List.of(new ChainRollup("c", 1, 1, providers, d.decisions())));
    var serialization = org.apache.pekko.serialization.SerializationExtension.get(testKit.system());
    int bytes = serialization.serialize(new EventAggregator.SubmitRollup(node)).get().length;
    System.out.printf("one busy chain's rollup (5 providers x 64 methods, full histograms): %d bytes in CBOR%n", bytes);
    assertTrue(bytes < 200 * 1024, bytes + " bytes");
  }

  private static ChainRollup chain(ClusterRollup rollup, String name) {
    return rollup.chains().stream().filter(c -> c.chain().equals(name)).findFirst().orElseThrow();
  }

  private static NodeRollup node(String id, String chainName, int requests, long head) {
    RollupRecorder recorder = new RollupRecorder(16, 5);
    for (int i = 0; i < requests; i++) {
      recorder.attempt("p", "eth_call", OutcomeKind.SUCCESS, 1_500_000 + i * 1000L);
      recorder.request("p", "eth_call", 1, false);
      recorder.retried(false);
      recorder.retried(true);
      recorder.retried(true);
      recorder.hedgeWon();
    }
    recorder.retryDenied();
    RollupRecorder.Drained drained = recorder.drain();
    ChainRollup chain = new ChainRollup(chainName, head, head, List.of(
        new ProviderRollup("p", head, 0, BreakerPhase.CLOSED, false, false, 0, drained.providers().get("p"))),
        List.of(new Decision(1, "c", "p", "eth_call", "SUCCESS", 1500, 2, "hedged: q cancelled", true, true)), 0,
        drained.retries());
    return new NodeRollup(id, 1, 0, 500, List.of(chain));
  }
}
