package io.riata.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.riata.core.config.ProviderConfig;
import io.riata.core.engine.ConcurrencyLimiter.Algorithm;
import io.riata.core.engine.ConcurrencyLimiter.Settings;
import io.riata.core.failover.OutcomeKind;
import java.util.Arrays;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The limiter's rules, then its adaptive limits against a simulated provider: a discrete-event
 * simulation on a manual clock (a seeded random arrival stream, a provider with a number of
 * workers and a queue in front of them), so the outcome is the same on every machine.
 */
class ConcurrencyLimiterTest {

  private static final long MS = 1_000_000L;
  private static final Settings ADAPTIVE = new Settings(Algorithm.GRADIENT2, 256, 64, 8, 2.5);

  @Test
  void theCapIsHardAndASlotComesBackOnRelease() {
    ConcurrencyLimiter limiter = new ConcurrencyLimiter(Settings.fixed(8));
    ProviderConfig p = TestChain.provider("p", 0, null, 2);
    ProviderLimiter.Permit a = limiter.tryAcquire(p);
    ProviderLimiter.Permit b = limiter.tryAcquire(p);
    assertNotNull(a);
    assertNotNull(b);
    assertNull(limiter.tryAcquire(p), "max_concurrency 2 holds a third attempt back");
    assertEquals(2, limiter.inFlight("p"));
    a.release(null, 0, 0);
    assertNotNull(limiter.tryAcquire(p), "a cancelled attempt gives its slot back");
    assertEquals(2, limiter.limit("p"));
  }

  @Test
  void aProviderWithoutItsOwnCapGetsTheNodeDefault() {
    ConcurrencyLimiter limiter = new ConcurrencyLimiter(Settings.fixed(3));
    ProviderConfig p = TestChain.provider("p", 0, null, 0);
    for (int i = 0; i < 3; i++) {
      assertNotNull(limiter.tryAcquire(p));
    }
    assertNull(limiter.tryAcquire(p));
  }

  @Test
  void anAdaptiveLimitStartsAtItsInitialValueAndNeverAboveTheCap() {
    ConcurrencyLimiter limiter = new ConcurrencyLimiter(new Settings(Algorithm.GRADIENT2, 256, 64, 8, 2.5));
    ProviderConfig small = TestChain.provider("small", 0, null, 10);
    ProviderConfig big = TestChain.provider("big", 0, null, 0);
    limiter.tryAcquire(small).release(null, 0, 0);
    limiter.tryAcquire(big).release(null, 0, 0);
    assertEquals(10, limiter.limit("small"), "max_concurrency below the initial limit caps it");
    assertEquals(64, limiter.limit("big"));
  }

  @Test
  void pastTheAdaptiveLimitASlotIsStillThereUpToTheCap() {
    ConcurrencyLimiter limiter = new ConcurrencyLimiter(new Settings(Algorithm.GRADIENT2, 256, 4, 4, 2.5));
    ProviderConfig p = TestChain.provider("p", 0, null, 6);
    for (int i = 0; i < 4; i++) {
      assertNotNull(limiter.tryAcquire(p));
    }
    assertNull(limiter.tryAcquire(p), "the adaptive limit of 4 is reached");
    assertEquals(1, limiter.refused("p"));
    assertNotNull(limiter.tryAcquireUpToCap(p));
    assertNotNull(limiter.tryAcquireUpToCap(p));
    assertNull(limiter.tryAcquireUpToCap(p), "max_concurrency 6 is hard");
    assertEquals(6, limiter.inFlight("p"));
  }

  @Test
  void refusalsAndThrottlingAreNotLatencySamples() {
    long[] now = {0};
    ConcurrencyLimiter limiter = new ConcurrencyLimiter(ADAPTIVE);
    ProviderConfig p = TestChain.provider("p", 0, null, 0);
    // Fast successes with 40 in flight would make the limit grow; the same with connection
    // failures and 429s must leave it where it started.
    for (int i = 0; i < 2000; i++) {
      now[0] += MS;
      ProviderLimiter.Permit[] held = new ProviderLimiter.Permit[40];
      for (int j = 0; j < held.length; j++) {
        held[j] = limiter.tryAcquire(p);
      }
      for (ProviderLimiter.Permit permit : held) {
        permit.release(i % 2 == 0 ? OutcomeKind.RETRIABLE : OutcomeKind.RATE_LIMITED, now[0] - MS, MS);
      }
    }
    assertEquals(64, limiter.limit("p"));
  }

  // ---- the simulation ----

  @Test
  void anOverloadedProviderGetsAboutWhatItCanServeAndItsQueueStaysShort() {
    // 32 workers at 20 ms serve 1,600 a second; 3,000 a second are offered.
    Run fixed = simulate(Settings.fixed(256), 32, t -> 20 * MS, 3000, 30);
    Run adaptive = simulate(ADAPTIVE, 32, t -> 20 * MS, 3000, 30);
    System.out.println("overloaded provider\n  fixed     " + fixed + "\n  gradient2 " + adaptive
        + "\n  vegas     " + simulate(new Settings(Algorithm.VEGAS, 256, 64, 8, 1), 32, t -> 20 * MS, 3000, 30));
    assertTrue(fixed.p99Ms() > 120, "without adaptation the provider's queue fills to the cap: " + fixed);
    assertTrue(adaptive.p99Ms() < 0.9 * fixed.p99Ms(), "adaptive " + adaptive + " against fixed " + fixed);
    assertTrue(adaptive.served >= 0.9 * fixed.served, "adaptive " + adaptive + " against fixed " + fixed);
  }

  @Test
  void aProviderWithRoomIsNotHeldBackByAMixOfFastAndSlowMethods() {
    // No queue at the provider; one call in 20 takes 200 ms, the rest 5 ms; about 30 in flight.
    Random mix = new Random(7);
    DoubleUnaryOperator service = t -> (mix.nextInt(20) == 0 ? 200 : 5) * MS;
    Run adaptive = simulate(ADAPTIVE, 100_000, service, 2000, 30);
    System.out.println("mixed methods, no queue\n  gradient2 " + adaptive
        + "\n  vegas     " + simulate(new Settings(Algorithm.VEGAS, 256, 64, 8, 1), 100_000, service, 2000, 30));
    assertTrue(adaptive.shedShare() < 0.01, "nothing worth mentioning refused: " + adaptive);
  }

  @Test
  void whenAProviderSlowsDownItsLimitFollows() {
    // 32 workers; after 15 s each call takes 60 ms instead of 20: 1,000 a second no longer fit.
    DoubleUnaryOperator service = t -> (t < 15_000 * MS ? 20 : 60) * MS;
    Run fixed = simulate(Settings.fixed(256), 32, service, 1000, 40);
    Run adaptive = simulate(ADAPTIVE, 32, service, 1000, 40);
    System.out.println("provider slows down at 15 s\n  fixed     " + fixed + "\n  gradient2 " + adaptive
        + "\n  vegas     " + simulate(new Settings(Algorithm.VEGAS, 256, 64, 8, 1), 32, service, 1000, 40));
    assertTrue(adaptive.finalLimit < 100, "the limit came down from the cap: " + adaptive);
    assertTrue(adaptive.p99Ms() < fixed.p99Ms() / 2, "adaptive " + adaptive + " against fixed " + fixed);
  }

  /** One provider with {@code workers} serving in FIFO order; arrivals at {@code rate} a second (Poisson). */
  private static Run simulate(Settings settings, int workers, DoubleUnaryOperator serviceNanos, int rate, int seconds) {
    ConcurrencyLimiter limiter = new ConcurrencyLimiter(settings);
    ProviderConfig provider = TestChain.provider("p", 0, null, 0);
    PriorityQueue<Long> free = new PriorityQueue<>();
    record Done(long at, long started, ProviderLimiter.Permit permit) { }
    PriorityQueue<Done> pending = new PriorityQueue<>((a, b) -> Long.compare(a.at, b.at));
    Random arrivals = new Random(42);
    long end = seconds * 1000 * MS;
    long[] latencies = new long[rate * seconds * 2];
    int served = 0;
    int shed = 0;
    long next = 0;
    while (next < end) {
      while (!pending.isEmpty() && pending.peek().at <= next) {
        Done d = pending.poll();
        d.permit.release(OutcomeKind.SUCCESS, d.started, d.at - d.started);
        if (d.started > end / 3) { // the first third is warm-up
          latencies[served++] = d.at - d.started;
        }
      }
      ProviderLimiter.Permit permit = limiter.tryAcquire(provider);
      if (permit == null) {
        if (next > end / 3) {
          shed++;
        }
      } else {
        long start = free.size() < workers ? next : Math.max(next, free.poll());
        long done = start + (long) serviceNanos.applyAsDouble(next);
        free.add(done);
        pending.add(new Done(done, next, permit));
      }
      next += (long) (-Math.log(1 - arrivals.nextDouble()) * 1e9 / rate);
    }
    long[] sorted = Arrays.copyOf(latencies, served);
    Arrays.sort(sorted);
    return new Run(served, shed, sorted, limiter.limit("p"));
  }

  private record Run(int served, int shed, long[] latencies, int finalLimit) {
    double p99Ms() {
      return latencies.length == 0 ? 0 : latencies[(int) (latencies.length * 0.99)] / (double) MS;
    }

    double p50Ms() {
      return latencies.length == 0 ? 0 : latencies[latencies.length / 2] / (double) MS;
    }

    double shedShare() {
      return shed / (double) Math.max(1, served + shed);
    }

    @Override
    public String toString() {
      return String.format("served %d, refused %d (%.1f%%), p50 %.1f ms, p99 %.1f ms, limit at the end %d",
          served, shed, 100 * shedShare(), p50Ms(), p99Ms(), finalLimit);
    }
  }
}
