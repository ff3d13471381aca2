package io.riata.cluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.riata.cluster.RiataConfig;
import io.riata.cluster.pool.HeadProbe;
import io.riata.cluster.pool.ProviderPool;
import io.riata.core.breaker.BreakerPhase;
import io.riata.core.config.ChainConfig;
import io.riata.core.config.ChainsConfig;
import io.riata.core.config.ProviderConfig;
import io.riata.core.selection.ChainSnapshot;
import io.riata.core.selection.ProviderStatus;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The node's snapshot subscriber on its own (no cluster, no pool): snapshots arrive on the chain's
 * topic as a pool would publish them, then stop, and the node stands in with probes of its own.
 */
class SnapshotSubscriberTest {

  private static final Config CONFIG = RiataConfig.load(ConfigFactory.parseString("""
      pekko.actor.provider = local
      pekko.loglevel = WARNING
      riata.cluster.republish-interval = 200ms
      riata.cluster.stand-in-after = 600ms
      """));
  private static final Duration STAND_IN_AFTER = Duration.ofMillis(600);

  private final Map<String, Long> heads = new ConcurrentHashMap<>();
  private final Set<String> down = ConcurrentHashMap.newKeySet();
  private final AtomicInteger probes = new AtomicInteger();
  private ActorTestKit kit;
  private ChainRuntime chain;
  private ActorRef<Topic.Command<ChainSnapshot>> topic;

  private static ProviderConfig provider(String id) {
    return new ProviderConfig(id, URI.create("http://" + id + ".invalid"), null, 1, 1, false, Set.of(), Set.of(),
        null, Map.of(), 16);
  }

  @BeforeEach
  void start() {
    kit = ActorTestKit.create("subscriber-test", CONFIG);
    // 1 s blocks: probes every 500 ms; max lag 2.
    ChainConfig config = new ChainConfig("c", 9, Duration.ofSeconds(1), 2, "round-robin", 128,
        List.of(provider("a"), provider("b"), provider("c")));
    NodeRuntime node = new NodeRuntime(new ChainsConfig("test", Map.of("c", config), Map.of()),
        ClusterSettings.from(CONFIG));
    chain = node.chain("c").orElseThrow();
    HeadProbe probe = (chainConfig, provider) -> {
      probes.incrementAndGet();
      if (down.contains(provider.id())) {
        return CompletableFuture.failedFuture(new java.net.ConnectException("Connection refused"));
      }
      return CompletableFuture.completedFuture(heads.get(provider.id()));
    };
    kit.spawn(SnapshotSubscriber.create(node, Duration.ofHours(1), (system, name, replyTo) -> { }, probe,
        STAND_IN_AFTER, System::nanoTime));
    topic = kit.spawn(Topic.create(ChainSnapshot.class, ProviderPool.snapshotTopic("c")));
  }

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
  }

  private static ChainSnapshot pool(long version, long chainHead, BreakerPhase cBreaker) {
    Map<String, ProviderStatus> map = new LinkedHashMap<>();
    map.put("a", new ProviderStatus("a", chainHead, 0, false, 0, BreakerPhase.CLOSED));
    map.put("b", new ProviderStatus("b", chainHead, 0, false, 0, BreakerPhase.CLOSED));
    map.put("c", new ProviderStatus("c", chainHead - 1, 1, false, 0, cBreaker));
    return new ChainSnapshot("c", version, chainHead, map);
  }

  /** Publishes until the subscriber (registered asynchronously) has taken the snapshot. */
  private void publishUntilTaken(ChainSnapshot snapshot) throws InterruptedException {
    await(() -> {
      topic.tell(Topic.publish(snapshot));
      return chain.poolSnapshot().equals(snapshot);
    }, "the subscriber never took snapshot " + snapshot.version());
  }

  private static void await(BooleanSupplier condition, String message) throws InterruptedException {
    long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > until) {
        throw new AssertionError(message);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void whileThePoolPublishesTheNodeDoesNotProbe() throws Exception {
    for (int v = 1; v <= 8; v++) {
      publishUntilTaken(pool(v, 100 + v, BreakerPhase.CLOSED));
      Thread.sleep(200);
    }
    assertFalse(chain.standingIn());
    assertEquals(0, probes.get(), "a pool publishing every 200 ms leaves the probing to the pool");
    assertTrue(chain.headsAgeMillis() >= 0 && chain.headsAgeMillis() < STAND_IN_AFTER.toMillis());
  }

  @Test
  void aSilentPoolIsStoodInForAndItsNextSnapshotEndsIt() throws Exception {
    heads.put("a", 120L);
    heads.put("b", 120L);
    heads.put("c", 100L); // c is now 20 behind
    publishUntilTaken(pool(4, 110, BreakerPhase.CLOSED));
    // The pool goes silent: within stand-in-after and one probe the node routes on its own heads.
    await(() -> chain.snapshot().chainHead() == 120, "the node never took heads of its own");
    assertTrue(chain.standingIn());
    ChainSnapshot own = chain.snapshot();
    assertEquals(4, own.version(), "built on the pool's last snapshot");
    assertEquals(20, own.provider("c").lag(), "c is now seen 20 behind (max lag 2): excluded from selection");
    assertEquals(120, chain.servedHead().served(), "the served head follows the node's own view");
    assertTrue(chain.headsAgeMillis() < 1500, "the view stays fresh: " + chain.headsAgeMillis());
    int probesBefore = probes.get();
    Thread.sleep(1200);
    int perProvider = (probes.get() - probesBefore) / 3;
    assertTrue(perProvider >= 1 && perProvider <= 4,
        "about one probe per provider per 500 ms probe interval, got " + perProvider + " in 1.2 s");

    // A new pool incarnation publishes before it has a chain head (it holds heads back for its
    // first probes): the node keeps its own heads, and takes the rest (a drain here) from the pool.
    Map<String, ProviderStatus> fresh = new LinkedHashMap<>();
    fresh.put("a", new ProviderStatus("a", 121, -1, false, 0, BreakerPhase.CLOSED));
    fresh.put("b", new ProviderStatus("b", 121, -1, true, 0, BreakerPhase.CLOSED));
    fresh.put("c", new ProviderStatus("c", -1, -1, false, 0, BreakerPhase.CLOSED));
    publishUntilTaken(new ChainSnapshot("c", 1, -1, fresh));
    assertTrue(chain.standingIn(), "a pool without a chain head does not end the stand-in");
    assertEquals(120, chain.snapshot().chainHead());
    assertTrue(chain.snapshot().provider("b").drained(), "the drain comes from the new pool");
    assertEquals(20, chain.snapshot().provider("c").lag(), "c is still seen behind");

    publishUntilTaken(pool(5, 121, BreakerPhase.CLOSED));
    assertFalse(chain.standingIn(), "the pool's snapshot ends the stand-in");
    assertEquals(pool(5, 121, BreakerPhase.CLOSED), chain.snapshot(), "the pool's view wins whole");
    int settled = probes.get();
    for (int v = 6; v <= 10; v++) { // the pool publishes again as it should
      Thread.sleep(200);
      publishUntilTaken(pool(v, 121, BreakerPhase.CLOSED));
    }
    assertFalse(chain.standingIn());
    assertEquals(0, probes.get() - settled, "the node kept probing after the pool came back");
  }

  @Test
  void aProviderTheStaleSnapshotShowsOpenGetsTrafficOnceItAnswersAndOneThatDiesIsTrippedHere() throws Exception {
    heads.put("a", 50L);
    heads.put("b", 50L);
    heads.put("c", 50L);
    down.add("b");
    publishUntilTaken(pool(2, 50, BreakerPhase.OPEN));
    assertEquals(BreakerPhase.OPEN, chain.breakers().phase("c"));
    await(() -> chain.snapshot().provider("c").breaker() == BreakerPhase.HALF_OPEN,
        "c answers this node's probes, yet stays open");
    assertEquals(BreakerPhase.HALF_OPEN, chain.breakers().phase("c"), "requests may try c again");
    await(() -> chain.breakers().phase("c") == BreakerPhase.CLOSED, "c keeps answering, yet is not closed");
    // b died after the pool went silent: three failed probes in a row trip it on this node.
    await(() -> chain.breakers().phase("b") == BreakerPhase.OPEN, "b fails every probe, yet is not tripped");
    assertTrue(chain.breakers().trippedLocally("b"));
  }
}
