package io.riata.http.ops.diag;

import io.riata.core.breaker.BreakerPhase;
import io.riata.core.config.ChainConfig;
import io.riata.core.config.ProviderConfig;
import io.riata.core.metrics.LatencyTracker;
import io.riata.core.selection.ChainSnapshot;
import io.riata.core.selection.ProviderStatus;
import io.riata.core.selection.Selection;
import io.riata.core.selection.Selector;
import io.riata.core.selection.Strategies;
import io.riata.core.selection.Strategy;
import io.riata.core.selection.StrategyName;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.LongAdder;

/**
 * A small microbenchmark, not a test (run by hand, numbers in docs/benchmarks.md): what timing
 * selection and admission into {@link PathTimings} adds to them. Each step runs bare and timed
 * (two {@code System.nanoTime()} calls and one histogram increment) and timed one call in 16,
 * on 1 and 2 threads.
 *
 * <pre>
 * mvn -q -o -pl router-http -am test-compile
 * mvn -q -o -pl router-http dependency:build-classpath -Dmdep.outputFile=/tmp/riata-cp.txt
 * java -cp router-http/target/test-classes:router-http/target/classes:$(cat /tmp/riata-cp.txt) \
 *     io.riata.http.ops.diag.PathTimingsBench [seconds]
 * </pre>
 */
public final class PathTimingsBench {

  private static volatile Object sink;

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    List<ProviderConfig> providers = new ArrayList<>();
    Map<String, ProviderStatus> status = new LinkedHashMap<>();
    LatencyTracker latency = new LatencyTracker();
    for (int i = 1; i <= 5; i++) {
      String id = "p" + i;
      providers.add(new ProviderConfig(id, URI.create("https://" + id + ".example"), null, i, 1, false,
          Set.of(), Set.of(), null, Map.of(), 64));
      status.put(id, new ProviderStatus(id, 1000, 0, false, 0, BreakerPhase.CLOSED));
      latency.record(id, "eth_blockNumber", i * 1_000_000L);
    }
    ChainConfig chain = new ChainConfig("ethereum", 1, Duration.ofSeconds(12), 5, "latency-weighted", 128, providers);
    ChainSnapshot snapshot = new ChainSnapshot("ethereum", 1, 1000, status);
    Strategy strategy = Strategies.create(StrategyName.LATENCY_WEIGHTED);
    PathTimings timings = new PathTimings(1);
    PathTimings sampled = new PathTimings(16);
    Map<String, Semaphore> permits = new ConcurrentHashMap<>();

    Op selectBare = i -> sink = select(chain, snapshot, latency, strategy);
    Op selectTimed = i -> {
      long t = System.nanoTime();
      Selection s = select(chain, snapshot, latency, strategy);
      timings.selection(System.nanoTime() - t);
      sink = s;
    };
    Op selectSampled = i -> {
      boolean timed = sampled.sample();
      long t = timed ? System.nanoTime() : 0;
      Selection s = select(chain, snapshot, latency, strategy);
      if (timed) {
        sampled.selection(System.nanoTime() - t);
      }
      sink = s;
    };
    Op admitSampled = i -> {
      boolean timed = sampled.sample();
      long t = timed ? System.nanoTime() : 0;
      Semaphore s = permits.computeIfAbsent(providers.get(i % 5).id(), id -> new Semaphore(1_000_000));
      boolean admitted = s.tryAcquire();
      if (timed) {
        sampled.admission(System.nanoTime() - t);
      }
      if (admitted) {
        s.release();
      }
    };
    Op admitBare = i -> {
      Semaphore s = permits.computeIfAbsent(providers.get(i % 5).id(), id -> new Semaphore(1_000_000));
      if (s.tryAcquire()) {
        s.release();
      }
    };
    Op admitTimed = i -> {
      long t = System.nanoTime();
      Semaphore s = permits.computeIfAbsent(providers.get(i % 5).id(), id -> new Semaphore(1_000_000));
      boolean admitted = s.tryAcquire();
      timings.admission(System.nanoTime() - t);
      if (admitted) {
        s.release();
      }
    };
    for (int round = 0; round < 2; round++) { // the first round warms up
      for (int threads : new int[] {1, 2}) {
        run(round, "selection, bare", threads, seconds, selectBare);
        run(round, "selection, timed", threads, seconds, selectTimed);
        run(round, "selection, 1 in 16", threads, seconds, selectSampled);
        run(round, "admission, bare", threads, seconds, admitBare);
        run(round, "admission, timed", threads, seconds, admitTimed);
        run(round, "admission, 1 in 16", threads, seconds, admitSampled);
      }
    }
    System.out.println("recorded selection: " + timings.selection());
    System.out.println("recorded admission: " + timings.admission());
  }

  private static Selection select(ChainConfig chain, ChainSnapshot snapshot, LatencyTracker latency, Strategy strategy) {
    return Selector.select(chain, snapshot, id -> BreakerPhase.CLOSED, latency, strategy, "eth_blockNumber", -1,
        null, System.currentTimeMillis());
  }

  interface Op {
    void run(int i);
  }

  private static void run(int round, String name, int threads, int seconds, Op op) throws InterruptedException {
    LongAdder ops = new LongAdder();
    long until = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread w = new Thread(() -> {
        int i = 0;
        long n = 0;
        while ((n & 1023) != 0 || System.nanoTime() < until) {
          op.run(i++);
          n++;
        }
        ops.add(n);
      });
      workers.add(w);
      w.start();
    }
    for (Thread w : workers) {
      w.join();
    }
    if (round > 0) {
      double nsPerOp = seconds * 1e9 * threads / ops.sum();
      System.out.printf("%-20s threads=%d  %8.1f ns/op (per thread)  %,d ops%n", name, threads, nsPerOp, ops.sum());
    }
  }
}
