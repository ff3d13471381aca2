package io.riata.http.ops.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.riata.cluster.aggregate.EventAggregator;
import io.riata.cluster.node.ClusterSettings;
import io.riata.core.breaker.BreakerPhase;
import io.riata.core.config.ChainConfig;
import io.riata.core.config.ProviderConfig;
import io.riata.core.rollup.ChainRollup;
import io.riata.core.rollup.Decision;
import io.riata.core.rollup.LatencyHistogram;
import io.riata.core.rollup.MethodStats;
import io.riata.core.rollup.NodeRollup;
import io.riata.core.rollup.Outcomes;
import io.riata.core.rollup.ProviderRollup;
import io.riata.http.RiataServer;
import io.riata.http.TestNodes;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.Test;

/**
 * The dashboard pipeline under the load the issue names, measured: simulated nodes send the
 * {@code EventAggregator} rollups that stand for a million routing decisions a second, each rollup
 * going through the real serializer both ways as over the network, while one node fans the cluster
 * rollups out to many {@code /ws/dashboard} subscribers, a few of which never read. Reports the
 * delay from the aggregator's tick to a subscriber's receipt, heap over time, and what the slow
 * subscribers skipped; checks that the counts a fast subscriber adds up are exactly the counts
 * sent. Measures, does not judge the numbers.
 *
 * <p>Defaults are small, for CI. For docs/benchmarks.md:
 * {@code mvn -pl router-http verify -Dtest=none -Dit.test=AggregatorLoadIT -Daggregator.seconds=300
 * -Daggregator.subscribers=1000}
 */
class AggregatorLoadIT {

  private static final int SECONDS = Integer.getInteger("aggregator.seconds", 12);
  private static final int SUBSCRIBERS = Integer.getInteger("aggregator.subscribers", 100);
  private static final int SLOW = Math.max(1, SUBSCRIBERS / 100);
  private static final long DECISIONS_PER_SECOND = Long.getLong("aggregator.decisions", 1_000_000);
  private static final int NODES = 4;
  private static final List<String> CHAINS = List.of("alpha", "beta");
  private static final int PROVIDERS = 5;
  private static final int METHODS = 12;

  /** A dashboard client that notes when each rollup arrived, reading only what it needs. */
  private static final class Reader implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();
    private final boolean reads;
    private final boolean sums;
    long[] delays = new long[256];
    int count;
    long requestsSummed;
    volatile boolean measuring;

    Reader(boolean reads, boolean sums) {
      this.reads = reads;
      this.sums = sums;
    }

    volatile String ended;
    volatile long endedAtNanos;

    @Override
    public CompletionStage<?> onClose(WebSocket socket, int code, String reason) {
      endedAtNanos = System.nanoTime();
      ended = "closed " + code + " " + reason;
      return null;
    }

    @Override
    public void onError(WebSocket socket, Throwable error) {
      endedAtNanos = System.nanoTime();
      ended = "failed: " + error;
    }

    @Override
    public void onOpen(WebSocket socket) {
      if (reads) { // a slow browser asks for nothing after the handshake
        socket.request(1);
      }
    }

    @Override
    public synchronized CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        long now = System.currentTimeMillis();
        String text = partial.toString();
        partial.setLength(0);
        int at = text.indexOf("\"at\":") + 5;
        long tickAt = Long.parseLong(text.substring(at, text.indexOf(',', at)));
        if (measuring) {
          if (count == delays.length) {
            delays = Arrays.copyOf(delays, count * 2);
          }
          delays[count++] = now - tickAt;
        }
        if (sums) {
          for (var chain : TestNodes.json(text).get("chains")) {
            requestsSummed += chain.get("requests").asLong();
          }
        }
      }
      socket.request(1);
      return null;
    }
  }

  @Test
  void aMillionDecisionsASecondToManySubscribers() throws Exception {
    List<ChainConfig> chains = new ArrayList<>();
    for (String chain : CHAINS) {
      List<ProviderConfig> providers = new ArrayList<>();
      for (int p = 0; p < PROVIDERS; p++) {
        // Nothing listens there: the node's own rollups stay empty, the simulated ones carry the load.
        providers.add(TestNodes.provider(chain + "-p" + p, URI.create("http://127.0.0.1:9/" + chain + p), p + 1));
      }
      chains.add(TestNodes.chain(chain, 900 + chains.size(), "priority", providers));
    }
    // More feed subscribers than a node takes by default (riata.http.admin.dashboard.max-subscribers).
    RiataServer server = TestNodes.start(TestNodes.config(chains, List.of()),
        "riata.http.admin.dashboard.max-subscribers = " + SUBSCRIBERS);
    HttpClient http = HttpClient.newHttpClient();
    List<Reader> readers = new ArrayList<>();
    List<WebSocket> sockets = new ArrayList<>();
    AtomicLong sent = new AtomicLong();
    Thread[] senders = new Thread[NODES];
    try {
      URI feed = URI.create("ws://127.0.0.1:" + server.operatorPort() + "/ws/dashboard");
      for (int i = 0; i < SUBSCRIBERS; i++) {
        Reader reader = new Reader(i >= SLOW, i == SLOW);
        sockets.add(http.newWebSocketBuilder().buildAsync(feed, reader).join());
        readers.add(reader);
      }
      long connectedBy = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (server.dashboard().subscriberCount() < SUBSCRIBERS && System.nanoTime() < connectedBy) {
        Thread.sleep(50);
      }
      // Held from the start: a subscriber the server closes leaves its set but keeps its counts here.
      List<DashboardFeed.Subscriber> subscribers = new ArrayList<>(server.dashboard().subscribers());
      assertEquals(SUBSCRIBERS, subscribers.size());
      ActorRef<EventAggregator.Command> aggregator = EventAggregator.init(server.system(),
          ClusterSettings.from(server.system().settings().config()).dashboard());
      Serialization serialization = SerializationExtension.get(server.system().classicSystem());
      long perNodePerTick = DECISIONS_PER_SECOND / NODES / 2;
      long perMethod = Math.max(1, -Math.floorDiv(-perNodePerTick, CHAINS.size() * PROVIDERS * METHODS));
      long sendingFrom = System.nanoTime();
      long deadline = sendingFrom + Duration.ofSeconds(SECONDS).toNanos();
      for (int n = 0; n < NODES; n++) {
        int node = n;
        senders[n] = new Thread(() -> simulateNode(node, perMethod, aggregator, serialization, sent, deadline),
            "sim-node-" + n);
        senders[n].start();
      }

      Thread.sleep(3000); // the first rollups, and the JIT
      readers.forEach(r -> r.measuring = true);
      long measuredFrom = System.nanoTime();
      long heapAfterOneMinute = -1;
      while (System.nanoTime() < deadline) {
        Thread.sleep(1000);
        if (heapAfterOneMinute < 0 && System.nanoTime() - measuredFrom > Duration.ofSeconds(60).toNanos()) {
          heapAfterOneMinute = usedHeapMb();
        }
      }
      for (Thread sender : senders) {
        sender.join();
      }
      readers.forEach(r -> r.measuring = false);
      long heapAtEnd = usedHeapMb();
      Thread.sleep(2000); // the last ticks reach the subscribers

      long[] delays = readers.stream().filter(r -> r.reads).flatMapToLong(r -> {
        synchronized (r) {
          return Arrays.stream(r.delays, 0, r.count);
        }
      }).sorted().toArray();
      // The subscribers that never read are the ones that took fewest rollups.
      subscribers.sort(java.util.Comparator.comparingLong(DashboardFeed.Subscriber::taken));
      List<DashboardFeed.Subscriber> slow = subscribers.subList(0, SLOW);
      List<DashboardFeed.Subscriber> fast = subscribers.subList(SLOW, subscribers.size());
      String slowTaken = slow.stream().map(x -> x.taken() + "").collect(java.util.stream.Collectors.joining("/"));
      String slowConflated = slow.stream().map(x -> x.conflated() + "").collect(java.util.stream.Collectors.joining("/"));
      long fastConflated = fast.stream().mapToLong(DashboardFeed.Subscriber::conflated).max().orElse(0);
      long fastTaken = fast.stream().mapToLong(DashboardFeed.Subscriber::taken).min().orElse(0);
      double sendingSeconds = (deadline - sendingFrom) / 1e9;
      System.out.printf("aggregator: %d simulated nodes, %.0f routing decisions/s in rollups (%d per method per tick),"
              + " %d subscribers (%d never read) for %d s; tick-to-subscriber delay p50 %d ms, p99 %d ms, max %d ms;"
              + " heap %s MB after 1 min, %d MB at the end; slow subscribers took %s rollups and had %s conflated;"
              + " reading ones took at least %d, at most %d conflated%n",
          NODES, sent.get() / sendingSeconds, perMethod, SUBSCRIBERS, SLOW, SECONDS,
          percentile(delays, 0.50), percentile(delays, 0.99), percentile(delays, 1.0),
          heapAfterOneMinute < 0 ? "n/a" : Long.toString(heapAfterOneMinute), heapAtEnd, slowTaken, slowConflated, fastTaken, fastConflated);

      for (int i = SLOW; i < readers.size(); i++) {
        assertEquals(null, readers.get(i).ended, "reading subscriber " + i);
      }
      for (int i = 0; i < SLOW; i++) { // the server closes a connection that takes nothing for its idle timeout
        Reader r = readers.get(i);
        System.out.printf("subscriber that never reads: %s%n", r.ended == null ? "still connected"
            : r.ended + " after " + (r.endedAtNanos - sendingFrom) / 1_000_000_000 + " s");
      }
      assertTrue(delays.length > 0, "no rollup reached a reading subscriber");
      Reader summing = readers.get(SLOW);
      synchronized (summing) {
        if (fastConflated == 0) {
          assertEquals(sent.get(), summing.requestsSummed,
              "a subscriber that keeps up adds up exactly the decisions the nodes reported");
        } else { // a reading connection stalled for a tick (a loaded machine): its skipped rollup's counts are gone
          assertTrue(summing.requestsSummed <= sent.get(), "counted more than was sent");
          System.out.printf("note: reading subscribers had up to %d rollups conflated; the summing one counted %d of %d%n",
              fastConflated, summing.requestsSummed, sent.get());
        }
      }
    } finally {
      for (Thread sender : senders) {
        if (sender != null) {
          sender.interrupt();
        }
      }
      sockets.forEach(WebSocket::abort);
      server.close();
    }
  }

  /** One simulated node: a rollup every 500 ms, serialized and read back as it would cross the network. */
  private static void simulateNode(int node, long perMethod, ActorRef<EventAggregator.Command> aggregator,
                                   Serialization serialization, AtomicLong sent, long deadline) {
    long seq = 0;
    long next = System.nanoTime();
    while (System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
      long now = System.currentTimeMillis();
      List<ChainRollup> chainRollups = new ArrayList<>();
      long total = 0;
      for (String chain : CHAINS) {
        List<ProviderRollup> providers = new ArrayList<>();
        for (int p = 0; p < PROVIDERS; p++) {
          List<MethodStats> methods = new ArrayList<>();
          for (int m = 0; m < METHODS; m++) {
            long[] buckets = new long[LatencyHistogram.BUCKETS];
            buckets[40 + m] = perMethod / 2;
            buckets[44 + p] = perMethod - perMethod / 2;
            long failed = perMethod / 100;
            methods.add(new MethodStats("eth_method" + m, perMethod, failed, 0,
                new Outcomes(perMethod, 0, failed / 2, 0, failed - failed / 2, 0), new LatencyHistogram(buckets)));
            total += perMethod;
          }
          providers.add(new ProviderRollup(chain + "-p" + p, 21_000_000 + seq, 0, BreakerPhase.CLOSED, false, false, 0,
              methods));
        }
        chainRollups.add(new ChainRollup(chain, 21_000_000 + seq, seq, providers, List.of(
            new Decision(now, chain, chain + "-p0", "eth_method0", "SUCCESS", 1200, 1, "first choice (priority)"))));
      }
      EventAggregator.SubmitRollup message = new EventAggregator.SubmitRollup(
          new NodeRollup("sim-" + node + "#" + node, ++seq, now - 500, now, chainRollups));
      byte[] bytes = serialization.serialize(message).get();
      int id = serialization.findSerializerFor(message).identifier();
      String manifest = org.apache.pekko.serialization.Serializers.manifestFor(serialization.findSerializerFor(message), message);
      aggregator.tell((EventAggregator.SubmitRollup) serialization.deserialize(bytes, id, manifest).get());
      sent.addAndGet(total);
      next += Duration.ofMillis(500).toNanos();
      long sleep = next - System.nanoTime();
      if (sleep > 0) {
        try {
          Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  private static long usedHeapMb() throws InterruptedException {
    System.gc();
    Thread.sleep(200);
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
  }

  private static long percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return -1;
    }
    return sorted[(int) Math.max(0, Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1))];
  }
}
