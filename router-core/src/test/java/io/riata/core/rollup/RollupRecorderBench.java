package io.riata.core.rollup;

import io.riata.core.failover.OutcomeKind;
import io.riata.core.metrics.LatencyTracker;
import io.riata.core.metrics.ProviderCounters;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * A small microbenchmark, not a test (run by hand, numbers in docs/benchmarks.md): the cost on the
 * request path of recording one routing decision into a {@link RollupRecorder} (one attempt plus
 * one answered request, with the sample check), next to what the path already recorded before
 * (outcome counters and the latency EWMA), with a drainer running every 500 ms as in production.
 *
 * <pre>
 * mvn -q -o -pl router-core test-compile
 * java -cp router-core/target/classes:router-core/target/test-classes io.riata.core.rollup.RollupRecorderBench [seconds]
 * </pre>
 */
public final class RollupRecorderBench {

  private static final String[] PROVIDERS = {"p1", "p2", "p3"};
  private static final String[] METHODS = {"eth_call", "eth_blockNumber", "eth_getBalance", "eth_getLogs"};

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    for (int threads : new int[] {1, 2, 4}) {
      run("existing counters (ProviderCounters + LatencyTracker)", threads, seconds, existing());
      run("rollup recorder (attempt + request + sample check)", threads, seconds, rollup());
    }
  }

  interface Op {
    void record(int i);

    default void drain() {}
  }

  private static Op existing() {
    ProviderCounters[] counters = {new ProviderCounters("p1"), new ProviderCounters("p2"), new ProviderCounters("p3")};
    LatencyTracker latency = new LatencyTracker();
    return i -> {
      int p = i % 3;
      counters[p].record(OutcomeKind.SUCCESS, "ok", 0);
      latency.record(PROVIDERS[p], METHODS[i & 3], 400_000 + (i & 1023) * 1000L);
    };
  }

  private static Op rollup() {
    RollupRecorder r = new RollupRecorder(64, 20);
    return new Op() {
      @Override
      public void record(int i) {
        String provider = PROVIDERS[i % 3];
        String method = METHODS[i & 3];
        r.attempt(provider, method, OutcomeKind.SUCCESS, 400_000 + (i & 1023) * 1000L);
        r.request(provider, method, 1, false);
        if (r.wantsSample()) {
          r.sample(new Decision(i, "c", provider, method, "SUCCESS", 400, 1, "first choice (fastest)"));
        }
      }

      @Override
      public void drain() {
        r.drain();
      }
    };
  }

  private static void run(String name, int threads, int seconds, Op op) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    LongAdder ops = new LongAdder();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread w = new Thread(() -> {
        int i = 0;
        long n = 0;
        while (!stop.get()) {
          for (int k = 0; k < 1000; k++) {
            op.record(i++);
          }
          n += 1000;
        }
        ops.add(n);
      });
      workers.add(w);
    }
    Thread drainer = new Thread(() -> {
      while (!stop.get()) {
        try {
          Thread.sleep(500);
        } catch (InterruptedException e) {
          return;
        }
        op.drain();
      }
    });
    // warm-up
    for (int i = 0; i < 2_000_000; i++) {
      op.record(i);
    }
    long start = System.nanoTime();
    workers.forEach(Thread::start);
    drainer.start();
    Thread.sleep(seconds * 1000L);
    stop.set(true);
    for (Thread w : workers) {
      w.join();
    }
    drainer.join();
    double secs = (System.nanoTime() - start) / 1e9;
    double perSecond = ops.sum() / secs;
    System.out.printf("%-55s threads=%d  %,.0f decisions/s  %.1f ns per decision per thread%n",
        name, threads, perSecond, threads * 1e9 / perSecond);
  }
}
