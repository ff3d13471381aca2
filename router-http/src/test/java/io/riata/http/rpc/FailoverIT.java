package io.riata.http.rpc;

import io.riata.http.data.RoutingHeaders;
import static io.riata.http.TestNodes.call;
import static io.riata.http.TestNodes.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.riata.cluster.node.ChainRuntime;
import io.riata.core.breaker.BreakerPhase;
import io.riata.core.config.ChainConfig;
import io.riata.core.config.ProviderConfig;
import io.riata.http.ReadTally;
import io.riata.http.RiataServer;
import io.riata.http.TestNodes;
import io.riata.http.sim.Fault;
import io.riata.http.sim.SimSettings;
import io.riata.http.sim.SimulatedProvider;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Providers die, hang and throttle under steady client load, on real loopback HTTP: no read may
 * fail, the breaker must open within its threshold, and a revived provider must get traffic again.
 */
class FailoverIT {

  private static final int CLIENTS = 4;
  private static final Map<String, List<SimulatedProvider>> SIMS = new LinkedHashMap<>();
  private static RiataServer server;

  @BeforeAll
  static void start() throws Exception {
    List<ChainConfig> chains = new ArrayList<>();
    long chainId = 100;
    for (String chain : List.of("kill", "hang", "throttle")) {
      List<SimulatedProvider> sims = new ArrayList<>();
      List<ProviderConfig> providers = new ArrayList<>();
      for (int i = 1; i <= 3; i++) {
        SimulatedProvider sim = SimulatedProvider.start(
            SimSettings.healthy(chain + "-p" + i, chainId).withLatency(Duration.ofMillis(1)));
        sims.add(sim);
        providers.add(TestNodes.provider("p" + i, sim.httpUrl(), i));
      }
      SIMS.put(chain, sims);
      chains.add(TestNodes.chain(chain, chainId++, "round-robin", providers));
    }
    server = TestNodes.start(TestNodes.config(chains, List.of()), "riata.http.deadlines.default = 1500ms");
  }

  @AfterAll
  static void stop() {
    server.close();
    SIMS.values().forEach(list -> list.forEach(SimulatedProvider::close));
  }

  /**
   * Client threads sending reads until stopped. Every read sent is scored in {@link #reads}: an
   * exception, a timeout, a non-200, a body that is not JSON, no result or a wrong id is a failure,
   * and the thread goes on sending.
   */
  private static final class Load implements AutoCloseable {
    final AtomicBoolean running = new AtomicBoolean(true);
    final ReadTally reads = new ReadTally();
    final ConcurrentLinkedQueue<String> attemptLogs = new ConcurrentLinkedQueue<>();
    final List<Thread> threads = new ArrayList<>();

    Load(String chain, Duration maxRun) {
      long stopAt = System.nanoTime() + maxRun.toNanos();
      AtomicInteger ids = new AtomicInteger();
      for (int t = 0; t < CLIENTS; t++) {
        Thread thread = new Thread(() -> {
          while (running.get() && System.nanoTime() < stopAt) {
            int id = ids.incrementAndGet();
            String address = String.format("\"0x%040x\"", id);
            HttpResponse<String> r = reads.read(chain, id,
                () -> post(server, "/rpc/" + chain, call("eth_getBalance", "[" + address + ",\"latest\"]", id)));
            if (r != null) {
              r.headers().firstValue(RoutingHeaders.ATTEMPT_LOG).ifPresent(attemptLogs::add);
            }
          }
        }, "load-" + chain + "-" + t);
        thread.setUncaughtExceptionHandler((th, e) -> reads.threadDied(th.getName(), e));
        threads.add(thread);
        thread.start();
      }
    }

    /** Failed attempts against a provider, from the attempt logs; {@code reason} narrows them. */
    long attemptsMatching(String providerId, String reason) {
      long n = 0;
      for (String log : attemptLogs) {
        for (String entry : log.split(", ")) {
          boolean failed = !entry.endsWith("=ok");
          if (entry.startsWith(providerId + "=") && failed && (reason == null || entry.contains(reason))) {
            n++;
          }
        }
      }
      return n;
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join(15_000);
        if (t.isAlive()) {
          reads.failures.add(t.getName() + " still waiting for an answer 15 s after the load stopped");
        }
      }
    }
  }

  private static long await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long start = System.nanoTime();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() - start < timeout.toNanos(), "condition not met within " + timeout);
      Thread.sleep(10);
    }
    return (System.nanoTime() - start) / 1_000_000;
  }

  @Test
  void aKilledProviderFailsNoReadOpensItsBreakerAndGetsTrafficAfterRevival() throws Exception {
    ChainRuntime chain = server.node().chain("kill").orElseThrow();
    SimulatedProvider p2 = SIMS.get("kill").get(1);
    try (Load load = new Load("kill", Duration.ofSeconds(30))) {
      Thread.sleep(1000);
      assertTrue(p2.requests("eth_getBalance") > 0, "round-robin sends p2 its share before the kill");
      p2.kill();
      long openedAfterMs = await(Duration.ofSeconds(5), () -> chain.snapshot().provider("p2").breaker() == BreakerPhase.OPEN);
      Thread.sleep(1500);
      long refusedBeforeRevival = load.attemptsMatching("p2", null);
      p2.resetCounts();
      p2.revive();
      long closedAfterMs = await(Duration.ofSeconds(10), () -> chain.snapshot().provider("p2").breaker() == BreakerPhase.CLOSED);
      await(Duration.ofSeconds(5), () -> p2.requests("eth_getBalance") > 10);
      load.close();
      System.out.printf("failover: %d reads ok, %d failed; breaker open %d ms after the kill, %d attempts refused by p2,"
          + " closed %d ms after revival%n", load.reads.ok.get(), load.reads.failures.size(), openedAfterMs,
          refusedBeforeRevival, closedAfterMs);
      load.reads.assertNoReadFailed("no read may fail");
      assertTrue(load.reads.ok.get() > 100, "the load really ran: " + load.reads.ok.get());
      // The node stops on its own after local-trip.consecutive-failures (3) in a row; each client
      // thread may have had one more request in flight to p2 at that moment.
      assertTrue(refusedBeforeRevival <= 3 + CLIENTS,
          "p2 was tried " + refusedBeforeRevival + " times after it died");
    }
  }

  @Test
  void aHangingProviderCostsTimeNotFailures() throws Exception {
    ChainRuntime chain = server.node().chain("hang").orElseThrow();
    SimulatedProvider p3 = SIMS.get("hang").get(2);
    p3.fault(Fault.HANG);
    try (Load load = new Load("hang", Duration.ofSeconds(4))) {
      await(Duration.ofSeconds(10), () -> chain.snapshot().provider("p3").breaker() == BreakerPhase.OPEN);
      Thread.sleep(500);
      load.close();
      long timeouts = load.attemptsMatching("p3", "timeout");
      System.out.printf("hang: %d reads ok, %d failed, %d attempts timed out on p3%n",
          load.reads.ok.get(), load.reads.failures.size(), timeouts);
      load.reads.assertNoReadFailed("no read may fail");
      assertTrue(timeouts >= 1, "p3 was tried and timed out");
      assertTrue(timeouts <= 3 + CLIENTS, "timeouts on p3: " + timeouts);
    } finally {
      p3.fault(Fault.NONE);
    }
  }

  @Test
  void aThrottledProviderIsCooledDownAndItsShareMovesElsewhere() throws Exception {
    SimulatedProvider p1 = SIMS.get("throttle").get(0);
    p1.fault(Fault.RATE_LIMITED);
    try (Load load = new Load("throttle", Duration.ofSeconds(2))) {
      Thread.sleep(2000);
      load.close();
      long throttled = load.attemptsMatching("p1", "429");
      long total = load.reads.ok.get();
      System.out.printf("throttle: %d reads ok, %d failed, %d attempts throttled by p1%n",
          total, load.reads.failures.size(), throttled);
      load.reads.assertNoReadFailed("no read may fail");
      assertTrue(throttled >= 1, "p1 was tried");
      assertTrue(throttled < total / 3, "p1 kept a third of the traffic despite throttling: " + throttled + " of " + total);
    } finally {
      p1.fault(Fault.NONE);
    }
  }
}
