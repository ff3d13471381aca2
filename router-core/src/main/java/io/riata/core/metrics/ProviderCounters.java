package io.riata.core.metrics;

import io.riata.core.failover.OutcomeKind;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Node-local outcome counters of one provider, written by every request thread without locks.
 * The counts are cumulative for the life of the node, so a report that is lost costs nothing:
 * the next one carries the same totals and the receiver works out the difference.
 */
public final class ProviderCounters {

  private final String providerId;
  private final LongAdder successes = new LongAdder();
  private final LongAdder failures = new LongAdder();
  private final LongAdder timeouts = new LongAdder();
  private final LongAdder rateLimited = new LongAdder();
  private final AtomicInteger failureStreak = new AtomicInteger();
  private final AtomicInteger timeoutStreak = new AtomicInteger();
  private final AtomicLong rateLimitedUntilMillis = new AtomicLong();
  private volatile String lastFailure = "";

  public ProviderCounters(String providerId) {
    this.providerId = providerId;
  }

  public String providerId() {
    return providerId;
  }

  /**
   * Records one attempt's outcome.
   *
   * @param retryAfterUntilMillis wall-clock millis until which a rate-limited provider asked us
   *                              to stay away, or 0
   */
  public void record(OutcomeKind kind, String reason, long retryAfterUntilMillis) {
    switch (kind) {
      case SUCCESS, CALLER_ERROR, UNSUPPORTED -> {
        successes.increment();
        // Plain sets: a success between failures breaks the streak, whichever thread wins.
        if (failureStreak.get() != 0) {
          failureStreak.set(0);
        }
        if (timeoutStreak.get() != 0) {
          timeoutStreak.set(0);
        }
      }
      case TIMEOUT -> {
        timeouts.increment();
        failures.increment();
        failureStreak.incrementAndGet();
        timeoutStreak.incrementAndGet();
        lastFailure = reason;
      }
      case RATE_LIMITED -> {
        // Throttling says nothing about the provider's health: it cools down, the breaker stays.
        rateLimited.increment();
        if (retryAfterUntilMillis > 0) {
          rateLimitedUntilMillis.accumulateAndGet(retryAfterUntilMillis, Math::max);
        }
        lastFailure = reason;
      }
      case RETRIABLE -> {
        failures.increment();
        failureStreak.incrementAndGet();
        timeoutStreak.set(0);
        lastFailure = reason;
      }
    }
  }

  /** The current totals; cheap enough to take every report interval. */
  public Sample sample() {
    return new Sample(
        providerId,
        successes.sum(),
        failures.sum(),
        timeouts.sum(),
        rateLimited.sum(),
        failureStreak.get(),
        timeoutStreak.get(),
        rateLimitedUntilMillis.get(),
        lastFailure);
  }

  /**
   * Cumulative totals of one provider on one node at one moment.
   *
   * @param failures      every unhealthy outcome except rate limiting, timeouts included
   * @param failureStreak failures since the last healthy outcome (trailing, not cumulative)
   * @param timeoutStreak timeouts since the last healthy outcome or other failure
   */
  public record Sample(
      String providerId,
      long successes,
      long failures,
      long timeouts,
      long rateLimited,
      int failureStreak,
      int timeoutStreak,
      long rateLimitedUntilMillis,
      String lastFailure) {}
}
