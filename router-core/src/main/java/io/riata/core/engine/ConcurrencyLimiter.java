package io.riata.core.engine;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import com.netflix.concurrency.limits.limit.VegasLimit;
import com.netflix.concurrency.limits.limit.WindowedLimit;
import io.riata.core.config.ProviderConfig;
import io.riata.core.failover.OutcomeKind;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many attempts may be in flight to each provider from this node. The provider's
 * {@code max_concurrency} (else the node default) is a hard cap; below it the limit adapts to the
 * provider's latency (Netflix concurrency-limits), so that a provider whose answers slow down as
 * work piles up gets less of it, and the rest goes to other providers or is refused at once.
 *
 * <p>One atomic counter per provider is both its count and its permit, so taking and giving back a
 * slot allocates nothing. Latency samples are gathered into windows lock-free; one thread at a time
 * (whichever closes a window, never waiting for another) moves the limit. Only answers and timeouts
 * are samples: a refused connection or a 5xx says nothing about load, and a cancelled attempt (a
 * hedge that lost) has no latency to tell.
 */
public final class ConcurrencyLimiter implements ProviderLimiter {

  /** How the limit below the cap is found. */
  public enum Algorithm {
    /** No adaptation: the cap is the limit. */
    FIXED,
    /**
     * Compares the latency of the last window with a long-running average, and shrinks the limit
     * when the recent one exceeds the average by more than the tolerance.
     */
    GRADIENT2,
    /** Estimates the queue at the provider from the lowest latency seen (TCP Vegas style). */
    VEGAS;

    public static Algorithm parse(String name) {
      try {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("unknown concurrency limit algorithm '" + name
            + "' (fixed, gradient2 or vegas)", e);
      }
    }
  }

  /**
   * @param defaultCap   the hard cap of a provider that sets no {@code max_concurrency}
   * @param initialLimit where an adaptive limit starts (at most the cap)
   * @param minLimit     an adaptive limit never goes below this (nor above the cap)
   * @param rttTolerance gradient2: how many times its long average the recent latency may be
   *                     before the limit shrinks (at least 1)
   */
  public record Settings(Algorithm algorithm, int defaultCap, int initialLimit, int minLimit, double rttTolerance) {
    public Settings {
      if (defaultCap < 1) {
        throw new IllegalArgumentException("default concurrency cap must be at least 1, got " + defaultCap);
      }
      if (!(rttTolerance >= 1)) {
        throw new IllegalArgumentException("rtt-tolerance must be at least 1, got " + rttTolerance);
      }
      if (minLimit < 1 || initialLimit < minLimit) {
        throw new IllegalArgumentException("need 1 <= min-limit <= initial-limit, got min-limit " + minLimit
            + " and initial-limit " + initialLimit);
      }
    }

    /** The cap and nothing else: what a provider gets with {@code max_concurrency} alone. */
    public static Settings fixed(int cap) {
      return new Settings(Algorithm.FIXED, cap, 1, 1, 1);
    }
  }

  private final Settings settings;
  private final ConcurrentHashMap<String, Slots> slots = new ConcurrentHashMap<>();

  public ConcurrencyLimiter(Settings settings) {
    this.settings = settings;
  }

  @Override
  public Permit tryAcquire(ProviderConfig provider) {
    Slots s = slots(provider);
    if (s.tryTake(s.limit())) {
      return s;
    }
    s.refused.increment();
    return null;
  }

  @Override
  public Permit tryAcquireUpToCap(ProviderConfig provider) {
    Slots s = slots(provider);
    return s.tryTake(s.cap) ? s : null;
  }

  private Slots slots(ProviderConfig provider) {
    Slots s = slots.get(provider.id());
    if (s == null) {
      s = slots.computeIfAbsent(provider.id(), id -> new Slots(provider.maxConcurrency() > 0
          ? provider.maxConcurrency() : settings.defaultCap()));
    }
    return s;
  }

  @Override
  public int inFlight(String providerId) {
    Slots s = slots.get(providerId);
    return s == null ? 0 : s.get();
  }

  /** The provider's limit now (the cap, or less when it adapted down); -1 before its first attempt. */
  public int limit(String providerId) {
    Slots s = slots.get(providerId);
    return s == null ? -1 : s.limit();
  }

  /** Attempts to the provider held back because it was at its limit, since the start. */
  public long refused(String providerId) {
    Slots s = slots.get(providerId);
    return s == null ? 0 : s.refused.sum();
  }

  /** Every provider seen so far, for the metrics. */
  public Iterable<String> providers() {
    return slots.keySet();
  }

  public Settings settings() {
    return settings;
  }

  private Limit newLimit(int cap) {
    int min = Math.min(settings.minLimit(), cap);
    int initial = Math.max(min, Math.min(settings.initialLimit(), cap));
    Limit inner = switch (settings.algorithm()) {
      case FIXED -> null;
      case GRADIENT2 -> Gradient2Limit.newBuilder()
          .initialLimit(initial)
          .minLimit(min)
          .maxConcurrency(cap)
          // Grows by up to 4 a window while the provider keeps up.
          .queueSize(4)
          // The long average spans about 600 windows (minutes), so a slow-down that lasts is held
          // against the latency from before it, not against itself.
          .longWindow(600)
          // Recent latency up to this many times the long average is not taken for a queue.
          .rttTolerance(settings.rttTolerance())
          .build();
      case VEGAS -> VegasLimit.newBuilder()
          .initialLimit(initial)
          .maxConcurrency(cap)
          .build();
    };
    if (inner == null) {
      return null;
    }
    // Samples are averaged over windows of at least 10 answers and 100 ms .. 1 s (twice the
    // window's lowest latency): a single slow method does not move the limit, a trend does.
    return WindowedLimit.newBuilder()
        .windowSize(10)
        .minWindowTime(100, TimeUnit.MILLISECONDS)
        .maxWindowTime(1, TimeUnit.SECONDS)
        .minRttThreshold(0, TimeUnit.NANOSECONDS)
        .build(inner);
  }

  private final class Slots extends AtomicInteger implements Permit {
    private final int cap;
    private final Limit adaptive;
    private final int floor;
    final LongAdder refused = new LongAdder();

    Slots(int cap) {
      this.cap = cap;
      this.adaptive = newLimit(cap);
      this.floor = Math.min(settings.minLimit(), cap);
    }

    int limit() {
      return adaptive == null ? cap : Math.max(floor, Math.min(cap, adaptive.getLimit()));
    }

    boolean tryTake(int limit) {
      for (;;) {
        int n = get();
        if (n >= limit) {
          return false;
        }
        if (compareAndSet(n, n + 1)) {
          return true;
        }
      }
    }

    @Override
    public void release(OutcomeKind kind, long startedNanos, long nanos) {
      int inFlight = getAndDecrement();
      if (adaptive == null || kind == null || nanos <= 0) {
        return;
      }
      switch (kind) {
        case SUCCESS, CALLER_ERROR, UNSUPPORTED -> adaptive.onSample(startedNanos, nanos, inFlight, false);
        case TIMEOUT -> adaptive.onSample(startedNanos, nanos, inFlight, true);
        default -> {
          // Refused, reset, 5xx or throttled: the provider's health and cool-down, not its load.
        }
      }
    }
  }
}
