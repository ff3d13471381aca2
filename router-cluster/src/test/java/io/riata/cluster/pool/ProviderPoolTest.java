package io.riata.cluster.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.riata.cluster.RiataCluster;
import io.riata.cluster.RiataConfig;
import io.riata.cluster.breaker.BreakerTransitioned;
import io.riata.cluster.breaker.CircuitBreaker;
import io.riata.cluster.node.ChainRuntime;
import io.riata.cluster.node.NodeRuntime;
import io.riata.core.breaker.BreakerPhase;
import io.riata.core.config.ChainConfig;
import io.riata.core.config.ChainsConfig;
import io.riata.core.config.ProviderConfig;
import io.riata.core.failover.OutcomeKind;
import io.riata.core.metrics.ProviderCounters;
import io.riata.core.selection.ChainSnapshot;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.ddata.ORSet;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pool and breaker entities in a real single-node cluster (sharding included), fed by the
 * node's report batcher and a head probe whose answers the test controls.
 */
class ProviderPoolTest {

  private static final Config CONFIG = RiataConfig.load(ConfigFactory.parseString("""
      pekko.remote.artery.canonical.port = 0
      pekko.loglevel = WARNING
      riata.cluster.report-interval = 50ms
      riata.cluster.mailbox-capacity = 50
      riata.cluster.republish-interval = 200ms
      riata.cluster.breaker.open-duration = 300ms
      riata.cluster.breaker.max-open-duration = 300ms
      """));

  private static final Map<String, Long> HEADS = new ConcurrentHashMap<>();
  private static final Set<String> DOWN = ConcurrentHashMap.newKeySet();
  private static final Map<String, HeadProbe.Finality> FINALITY = new ConcurrentHashMap<>();
  private static ActorTestKit testKit;
  private static NodeRuntime node;

  @BeforeAll
  static void start() {
    // Known from the first probe on: a provider without a head fails its probes and would be
    // opened by its breaker before the test that uses it has begun.
    for (String id : List.of("a", "b", "c")) {
      HEADS.put("breaks/" + id, 10L);
    }
    testKit = ActorTestKit.create("pool-test", CONFIG);
    Map<String, ChainConfig> chains = new LinkedHashMap<>();
    for (String name : List.of("heads", "breaks", "dropped", "flood", "drains", "finality")) {
      chains.put(name, chain(name, name.length() * 7L, "a", "b", "c"));
    }
    HeadProbe probe = new HeadProbe() {
      @Override
      public CompletableFuture<Long> blockNumber(ChainConfig chain, ProviderConfig provider) {
        String key = chain.name() + "/" + provider.id();
        if (chain.name().equals("dropped") || chain.name().equals("flood")) {
          return new CompletableFuture<>(); // probes never answer: only the reports decide
        }
        if (DOWN.contains(key)) {
          return CompletableFuture.failedFuture(new java.net.ConnectException("Connection refused"));
        }
        Long head = HEADS.get(key);
        return head == null
            ? CompletableFuture.failedFuture(new IllegalStateException("no head yet"))
            : CompletableFuture.completedFuture(head);
      }

      @Override
      public CompletableFuture<Finality> finality(ChainConfig chain, ProviderConfig provider) {
        return CompletableFuture.completedFuture(
            FINALITY.getOrDefault(chain.name() + "/" + provider.id(), Finality.UNKNOWN));
      }
    };
    node = RiataCluster.start(testKit.system(), new ChainsConfig("test", chains, Map.of()), probe);
  }

  @AfterAll
  static void stop() {
    // Leaving a cluster (singleton hand-over included) can outlast the kit's default 10 s on a
    // busy machine; that is not what this class tests.
    ActorTestKit.shutdown(testKit.system(), Duration.ofSeconds(30), false);
  }

  @Test
  void publishesHeadsAndLagFromProbes() {
    HEADS.put("heads/a", 100L);
    HEADS.put("heads/b", 96L);
    ChainRuntime chain = node.chain("heads").orElseThrow();
    ChainSnapshot snapshot = awaitSnapshot(chain, s -> s.chainHead() == 100 && s.provider("b").head() == 96);
    assertEquals(0, snapshot.provider("a").lag());
    assertEquals(4, snapshot.provider("b").lag());
    assertEquals(-1, snapshot.provider("c").head(), "c never answered: head unknown");
    assertEquals(-1, snapshot.provider("c").lag(), "c never answered: lag unknown, not zero");
  }

  @Test
  void consecutiveFailuresOnTheNodeOpenTheClusterBreakerAndProbesCloseItAgain() {
    ChainRuntime chain = node.chain("breaks").orElseThrow();
    awaitSnapshot(chain, s -> s.chainHead() == 10);
    DOWN.add("breaks/b");
    for (int i = 0; i < 5; i++) {
      chain.recordAttempt("b", "eth_blockNumber", OutcomeKind.RETRIABLE, "connect refused", 1_000, 0);
    }
    assertEquals(BreakerPhase.OPEN, chain.breakers().phase("b"), "tripped locally at once");
    awaitSnapshot(chain, s -> s.provider("b").breaker() == BreakerPhase.OPEN);
    assertEquals(BreakerPhase.CLOSED, chain.snapshot().provider("a").breaker());

    DOWN.remove("breaks/b");
    awaitSnapshot(chain, s -> s.provider("b").breaker() == BreakerPhase.CLOSED);
    assertEquals(BreakerPhase.CLOSED, chain.breakers().phase("b"), "the node follows the authority");
  }

  @Test
  void aDrainGoesOutInTheSnapshotIsStoredInDistributedDataAndUndrainBringsItBack() {
    ChainRuntime chain = node.chain("drains").orElseThrow();
    var pool = ProviderPool.entityRef(testKit.system(), "drains");
    TestProbe<ProviderPool.DrainUpdated> replies = testKit.createTestProbe();
    pool.tell(new ProviderPool.Drain("b", true, replies.getRef()));
    assertEquals(new ProviderPool.DrainUpdated("drains", "b", true, true), replies.receiveMessage(Duration.ofSeconds(5)));
    awaitSnapshot(chain, s -> s.provider("b").drained());
    assertEquals(false, chain.snapshot().provider("a").drained());

    TestProbe<Replicator.GetResponse<ORSet<String>>> stored = testKit.createTestProbe();
    DistributedData.get(testKit.system()).replicator().tell(
        new Replicator.Get<>(ProviderPool.drainedKey("drains"), Replicator.readLocal(), stored.getRef()));
    var found = (Replicator.GetSuccess<ORSet<String>>) stored.receiveMessage(Duration.ofSeconds(5));
    assertEquals(Set.of("b"), found.get(ProviderPool.drainedKey("drains")).getElements());

    pool.tell(new ProviderPool.Drain("b", false, replies.getRef()));
    replies.receiveMessage(Duration.ofSeconds(5));
    awaitSnapshot(chain, s -> !s.provider("b").drained());

    pool.tell(new ProviderPool.Drain("nope", true, replies.getRef()));
    assertEquals(false, replies.receiveMessage(Duration.ofSeconds(5)).known());
  }

  @Test
  void aDroppedReportLosesNothingBecauseCountersAreCumulative() {
    ChainRuntime chain = node.chain("dropped").orElseThrow();
    var pool = ProviderPool.entityRef(testKit.system(), "dropped");
    // Three reports from a node that is failing against provider c; the middle one is lost.
    pool.tell(new ProviderPool.ReportBatch("node-x", 1, List.of(sample("c", 10, 2))));
    // seq 2 (streak 4) never arrives; seq 3 still carries the whole streak of 5
    pool.tell(new ProviderPool.ReportBatch("node-x", 3, List.of(sample("c", 13, 5))));
    awaitSnapshot(chain, s -> s.provider("c").breaker() == BreakerPhase.OPEN);
    assertEquals(BreakerPhase.CLOSED, chain.snapshot().provider("a").breaker());
  }

  @Test
  void aFloodOverflowsTheBoundedMailboxYetNoCounterIsLostOnceItEnds() {
    var pool = ProviderPool.entityRef(testKit.system(), "flood");
    TestProbe<ProviderPool.Totals> totals = testKit.createTestProbe();
    pool.tell(new ProviderPool.GetTotals(totals.getRef())); // start the entity before the flood
    totals.receiveMessage(Duration.ofSeconds(10));
    long deadLettersBefore = node.deadLetters();
    int flood = 20_000;
    for (int seq = 1; seq <= flood; seq++) {
      pool.tell(new ProviderPool.ReportBatch("node-f", seq, List.of(
          new ProviderCounters.Sample("a", seq, 0, 0, 0, 0, 0, 0, ""))));
    }
    // The pressure is gone: the node's next report carries its whole count.
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    ProviderPool.Totals last = null;
    while (System.nanoTime() < deadline) {
      pool.tell(new ProviderPool.ReportBatch("node-f", flood + 1, List.of(
          new ProviderCounters.Sample("a", flood + 1, 0, 0, 0, 0, 0, 0, ""))));
      pool.tell(new ProviderPool.GetTotals(totals.getRef()));
      try {
        last = totals.receiveMessage(Duration.ofMillis(500));
      } catch (AssertionError droppedWhileFull) {
        continue; // the question itself hit the full mailbox; ask again
      }
      if (last.providers().get("a").successes() == flood + 1) {
        break;
      }
    }
    long overflowed = node.deadLetters() - deadLettersBefore;
    System.out.printf("flood: %d reports sent, %d dead letters counted, totals after: %s%n",
        flood, overflowed, last.providers().get("a"));
    assertTrue(overflowed > 0, "the flood should have overflowed the mailbox of 50");
    assertEquals(flood + 1, last.providers().get("a").successes(), "no counted success may be lost");
  }

  /**
   * {@code GetState} answers with the phase the breaker is in, whatever it is: checked against
   * phases the test sets (closed from healthy probes, forced open, reset), on a provider no other
   * test touches ({@code breaks/c}, whose probes always answer).
   */
  @Test
  void aBreakerTellsItsCurrentPhase() {
    var breaker = org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding.get(testKit.system())
        .entityRefFor(CircuitBreaker.ENTITY_TYPE_KEY, CircuitBreaker.entityId("breaks", "c", CircuitBreaker.HTTP));
    TestProbe<BreakerTransitioned> replies = testKit.createTestProbe();
    awaitSnapshot(node.chain("breaks").orElseThrow(), s -> s.provider("c").head() == 10);

    breaker.tell(new CircuitBreaker.GetState(replies.getRef()));
    BreakerTransitioned closed = replies.receiveMessage(Duration.ofSeconds(5));
    assertEquals(List.of("breaks", "c", CircuitBreaker.HTTP, "current state"),
        List.of(closed.chain(), closed.providerId(), closed.transport(), closed.cause()));
    assertEquals(List.of(BreakerPhase.CLOSED, BreakerPhase.CLOSED), List.of(closed.from(), closed.to()));

    breaker.tell(new CircuitBreaker.Force(BreakerPhase.OPEN, Duration.ofMinutes(1), replies.getRef()));
    assertEquals(BreakerPhase.OPEN, replies.receiveMessage(Duration.ofSeconds(5)).to());
    breaker.tell(new CircuitBreaker.GetState(replies.getRef()));
    BreakerTransitioned open = replies.receiveMessage(Duration.ofSeconds(5));
    assertEquals(List.of(BreakerPhase.OPEN, BreakerPhase.OPEN), List.of(open.from(), open.to()));

    breaker.tell(new CircuitBreaker.Reset(replies.getRef()));
    replies.receiveMessage(Duration.ofSeconds(5));
    breaker.tell(new CircuitBreaker.GetState(replies.getRef()));
    BreakerTransitioned reset = replies.receiveMessage(Duration.ofSeconds(5));
    assertEquals(List.of(BreakerPhase.CLOSED, BreakerPhase.CLOSED), List.of(reset.from(), reset.to()));
  }

  @Test
  void messagesAndSnapshotsSurviveSerialization() {
    var kit = testKit.serializationTestKit();
    kit.verifySerialization(new ProviderPool.ReportBatch("n", 1, List.of(sample("a", 3, 1))), true);
    kit.verifySerialization(node.chain("heads").orElseThrow().snapshot(), true);
    kit.verifySerialization(new ProviderPool.BreakerChanged(new BreakerTransitioned(1, "c", "p", "http",
        BreakerPhase.CLOSED, BreakerPhase.OPEN, "x", 1, 5L)), true);
    kit.verifySerialization(new CircuitBreaker.RecordOutcomes("n", 1, 2, 1, "timeout"), true);
    TestProbe<BreakerTransitioned> transitions = testKit.createTestProbe();
    kit.verifySerialization(new CircuitBreaker.Force(BreakerPhase.OPEN, Duration.ofSeconds(3), transitions.getRef()), true);
    kit.verifySerialization(new CircuitBreaker.Reset(transitions.getRef()), true);
    TestProbe<ProviderPool.DrainUpdated> drains = testKit.createTestProbe();
    kit.verifySerialization(new ProviderPool.Drain("a", true, drains.getRef()), true);
    kit.verifySerialization(new ProviderPool.DrainUpdated("c", "a", true, true), true);
    var reloaded = new io.riata.cluster.node.ConfigFollower.ChainsReloaded("chains.yml", "chains: {}", "n#1", 5L);
    kit.verifySerialization(reloaded, true);
    var register = (org.apache.pekko.cluster.ddata.LWWRegister<?>) kit.verifySerialization(
        org.apache.pekko.cluster.ddata.LWWRegister.create(DistributedData.get(testKit.system()).selfUniqueAddress(), reloaded),
        false);
    assertEquals(reloaded, register.getValue());
    kit.verifySerialization(new ProviderPool.Totals("c", 2, Map.of("a", sample("a", 4, 0))), true);
    TestProbe<ProviderPool.Totals> totals = testKit.createTestProbe();
    kit.verifySerialization(new ProviderPool.GetTotals(totals.getRef()), true);
    TestProbe<ChainSnapshot> snapshots = testKit.createTestProbe();
    kit.verifySerialization(new ProviderPool.GetSnapshot(snapshots.getRef()), true);
  }

  private static ProviderCounters.Sample sample(String provider, long failures, int streak) {
    return new ProviderCounters.Sample(provider, 0, failures, 0, 0, streak, 0, 0, "connect refused");
  }

  @Test
  void publishesFinalityAndFlagsAFinalizedBlockThatWentBack() {
    HEADS.put("finality/a", 200L);
    HEADS.put("finality/b", 200L);
    ChainRuntime chain = node.chain("finality").orElseThrow();
    FINALITY.put("finality/a", new HeadProbe.Finality(190, 150));
    ChainSnapshot first = awaitSnapshot(chain, s -> s.provider("a").finalized() == 150);
    assertEquals(190, first.provider("a").safe());
    assertFalse(first.provider("a").finalizedWentBack());
    assertEquals(-1, first.provider("b").finalized(), "b never answered the tags: unknown, not zero");

    FINALITY.put("finality/a", new HeadProbe.Finality(-1, 120));
    ChainSnapshot back = awaitSnapshot(chain, s -> s.provider("a").finalized() == 120);
    assertTrue(back.provider("a").finalizedWentBack(), "150 then 120");
    assertEquals(190, back.provider("a").safe(), "a tag not answered keeps its last value");

    FINALITY.put("finality/a", new HeadProbe.Finality(195, 150));
    ChainSnapshot again = awaitSnapshot(chain, s -> s.provider("a").finalized() == 150);
    assertFalse(again.provider("a").finalizedWentBack(), "back at its highest: the flag clears");
    assertEquals(195, again.provider("a").safe());
  }

  /**
   * A node that asks a pool for its snapshot before the pool's first publication waits for it: it
   * is never handed the empty placeholder (version 0, no heads) and made ready on it. The pool
   * here is spawned directly, with a publication window long enough to ask into.
   */
  @Test
  void askingBeforeTheFirstPublicationWaitsForIt() {
    ChainConfig lonely = chain("lonely", 991, "a");
    HeadProbe silent = new HeadProbe() {
      @Override
      public CompletableFuture<Long> blockNumber(ChainConfig chain, ProviderConfig provider) {
        return new CompletableFuture<>();
      }

      @Override
      public CompletableFuture<Finality> finality(ChainConfig chain, ProviderConfig provider) {
        return new CompletableFuture<>();
      }
    };
    PoolSettings settings = new PoolSettings(() -> new ChainsConfig("test", Map.of("lonely", lonely), Map.of()),
        silent, Duration.ofSeconds(2), Duration.ofMinutes(1), System::nanoTime);
    var pool = testKit.spawn(ProviderPool.create("lonely", settings));
    TestProbe<ChainSnapshot> replies = testKit.createTestProbe();
    // Ask every 100 ms through the window in which the stored drains are known but nothing is
    // published: each answer, whenever it comes, is a real publication.
    for (int i = 0; i < 15; i++) {
      pool.tell(new ProviderPool.GetSnapshot(replies.getRef()));
      replies.expectNoMessage(Duration.ofMillis(100));
    }
    for (int i = 0; i < 15; i++) {
      ChainSnapshot s = replies.expectMessageClass(ChainSnapshot.class, Duration.ofSeconds(10));
      assertTrue(s.version() > 0, "answered with the placeholder: " + s);
    }
    testKit.stop(pool);
  }

  private static ChainSnapshot awaitSnapshot(ChainRuntime chain, Predicate<ChainSnapshot> condition) {
    long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < until) {
      ChainSnapshot s = chain.snapshot();
      if (condition.test(s)) {
        return s;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    assertTrue(false, "snapshot never matched; last: " + chain.snapshot());
    return null;
  }

  private static ChainConfig chain(String name, long chainId, String... providers) {
    List<ProviderConfig> list = new java.util.ArrayList<>();
    for (String id : providers) {
      list.add(new ProviderConfig(id, URI.create("http://127.0.0.1:1/" + id), null, 10, 1, false,
          Set.of(), Set.of(), null, Map.of(), 8));
    }
    return new ChainConfig(name, chainId, Duration.ofMillis(500), 3, "fastest", 128, list);
  }
}
