package io.riata.core.rollup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.riata.core.failover.OutcomeKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class RollupRecorderTest {

  @Test
  void countsAttemptsRequestsAndFailoversPerProviderAndMethod() {
    RollupRecorder r = new RollupRecorder(16, 8);
    r.attempt("a", "eth_call", OutcomeKind.TIMEOUT, 5_000_000);
    r.attempt("b", "eth_call", OutcomeKind.SUCCESS, 2_000_000);
    r.request("b", "eth_call", 2, false);
    r.request(RollupRecorder.RIATA, "eth_chainId", 0, false);
    RollupRecorder.Drained d = r.drain();
    MethodStats a = only(d.providers().get("a"));
    assertEquals(0, a.requests());
    assertEquals(new Outcomes(0, 0, 0, 0, 1, 0), a.outcomes());
    MethodStats b = only(d.providers().get("b"));
    assertEquals(1, b.requests());
    assertEquals(1, b.failovers());
    assertEquals(1, b.latency().count());
    assertEquals(1, only(d.providers().get(RollupRecorder.RIATA)).requests());
    assertTrue(r.drain().providers().isEmpty(), "a drain starts the next interval from zero");
  }

  @Test
  void countsTheChainsRetriesHedgesAndBudgetDenialsPerInterval() {
    RollupRecorder r = new RollupRecorder(16, 8);
    r.retried(false);
    r.retried(true);
    r.retried(true);
    r.hedgeWon();
    r.retryDenied();
    r.retryDenied();
    r.retryDenied();
    assertEquals(new RetryCounts(1, 3, 2, 1), r.drain().retries());
    assertEquals(RetryCounts.NONE, r.drain().retries(), "a drain starts the next interval from zero");
  }

  @Test
  void methodsBeyondTheCapShareOneEntry() {
    RollupRecorder r = new RollupRecorder(2, 0);
    for (int i = 0; i < 10; i++) {
      r.request("a", "m" + i, 1, false);
    }
    List<MethodStats> methods = r.drain().providers().get("a");
    assertEquals(3, methods.size());
    assertEquals(8, methods.stream().filter(m -> m.method().equals(RollupRecorder.OTHER_METHODS))
        .findFirst().orElseThrow().requests());
  }

  @Test
  void concurrentRecordingWhileDrainingLosesAndDuplicatesNothing() throws Exception {
    RollupRecorder r = new RollupRecorder(16, 4);
    int threads = 4;
    int perThread = 200_000;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      String provider = "p" + (t % 2);
      Thread w = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < perThread; i++) {
          r.attempt(provider, i % 2 == 0 ? "eth_call" : "eth_blockNumber",
              i % 10 == 0 ? OutcomeKind.RETRIABLE : OutcomeKind.SUCCESS, i * 100L);
          r.request(provider, "eth_call", 1, false);
          if (r.wantsSample()) {
            r.sample(new Decision(i, "c", provider, "eth_call", "SUCCESS", 1, 1, "test"));
          }
        }
      });
      workers.add(w);
      w.start();
    }
    AtomicBoolean done = new AtomicBoolean();
    long[] totals = new long[3];
    Thread drainer = new Thread(() -> {
      while (true) {
        boolean last = done.get();
        RollupRecorder.Drained d = r.drain();
        assertTrue(d.decisions().size() <= 4, "sample cap");
        for (List<MethodStats> methods : d.providers().values()) {
          for (MethodStats m : methods) {
            totals[0] += m.requests();
            totals[1] += m.outcomes().attempts();
            totals[2] += m.latency().count();
          }
        }
        if (last) {
          return;
        }
      }
    });
    drainer.start();
    start.countDown();
    for (Thread w : workers) {
      w.join();
    }
    done.set(true);
    drainer.join();
    long expected = (long) threads * perThread;
    assertEquals(expected, totals[0], "requests");
    assertEquals(expected, totals[1], "attempts");
    assertEquals(expected, totals[2], "latencies");
  }

  @Test
  void keepsAtMostTheCapOfSamplesPerInterval() {
    RollupRecorder r = new RollupRecorder(16, 3);
    for (int i = 0; i < 10; i++) {
      r.sample(new Decision(i, "c", "p", "m", "SUCCESS", 1, 1, "x"));
    }
    assertEquals(3, r.drain().decisions().size());
    assertTrue(r.wantsSample());
    r.sample(new Decision(99, "c", "p", "m", "SUCCESS", 1, 1, "x"));
    assertEquals(Map.of(), r.drain().providers());
  }

  private static MethodStats only(List<MethodStats> methods) {
    assertEquals(1, methods.size(), methods.toString());
    return methods.get(0);
  }
}
