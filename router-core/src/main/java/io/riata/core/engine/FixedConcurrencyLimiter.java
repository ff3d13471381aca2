package io.riata.core.engine;

import io.riata.core.config.ProviderConfig;
import io.riata.core.failover.OutcomeKind;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * At most {@code max_concurrency} (the provider's own, else the node default) attempts in flight
 * per provider. One atomic counter per provider, which doubles as its permit: taking and giving
 * back a slot allocates nothing.
 */
public final class FixedConcurrencyLimiter implements ProviderLimiter {

  private final int defaultLimit;
  private final ConcurrentHashMap<String, Slots> slots = new ConcurrentHashMap<>();

  public FixedConcurrencyLimiter(int defaultLimit) {
    if (defaultLimit < 1) {
      throw new IllegalArgumentException("default concurrency limit must be at least 1, got " + defaultLimit);
    }
    this.defaultLimit = defaultLimit;
  }

  @Override
  public Permit tryAcquire(ProviderConfig provider) {
    Slots s = slots.get(provider.id());
    if (s == null) {
      s = slots.computeIfAbsent(provider.id(),
          id -> new Slots(provider.maxConcurrency() > 0 ? provider.maxConcurrency() : defaultLimit));
    }
    return s.tryTake() ? s : null;
  }

  @Override
  public int inFlight(String providerId) {
    Slots s = slots.get(providerId);
    return s == null ? 0 : s.get();
  }

  private static final class Slots extends AtomicInteger implements Permit {
    private final int limit;

    Slots(int limit) {
      this.limit = limit;
    }

    boolean tryTake() {
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
    public void release(OutcomeKind kind, long nanos) {
      decrementAndGet();
    }
  }
}
