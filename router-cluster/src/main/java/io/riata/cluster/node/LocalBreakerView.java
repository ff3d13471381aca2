package io.riata.cluster.node;

import io.riata.core.breaker.BreakerPhase;
import io.riata.core.selection.BreakerView;
import io.riata.core.selection.ChainSnapshot;
import io.riata.core.selection.ProviderStatus;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * This node's breaker state for one chain's providers: the authority's phase from the latest
 * snapshot, except that a provider failing several times in a row on this node is skipped here at
 * once, for a short while, before the cluster has agreed. Likewise a provider that rate-limits this
 * node is tried last here at once, until its cool-down ends, rather than after the pool's next
 * snapshot: meanwhile every request sent to it would be refused and retried elsewhere, spending
 * the retry budget. Lock-free; read on every request.
 */
public final class LocalBreakerView implements BreakerView {

  private static final class Entry {
    volatile BreakerPhase authority = BreakerPhase.CLOSED;
    volatile long trippedUntilNanos;
    /** The end of the provider's cool-down after rate-limiting this node (wall clock), or 0. */
    volatile long rateLimitedUntilMillis;
    final AtomicInteger streak = new AtomicInteger();
  }

  private final Map<String, Entry> entries;
  private final int tripThreshold;
  private final long tripNanos;
  private final LongSupplier nanoClock;

  public LocalBreakerView(List<String> providerIds, int tripThreshold, Duration tripDuration, LongSupplier nanoClock) {
    Map<String, Entry> map = new HashMap<>();
    for (String id : providerIds) {
      map.put(id, new Entry());
    }
    this.entries = Map.copyOf(map);
    this.tripThreshold = tripThreshold;
    this.tripNanos = tripDuration.toNanos();
    this.nanoClock = nanoClock;
  }

  @Override
  public BreakerPhase phase(String providerId) {
    Entry e = entries.get(providerId);
    if (e == null) {
      return BreakerPhase.OPEN;
    }
    BreakerPhase authority = e.authority;
    if (authority == BreakerPhase.OPEN) {
      return BreakerPhase.OPEN;
    }
    long until = e.trippedUntilNanos;
    if (until != 0 && nanoClock.getAsLong() - until < 0) {
      return BreakerPhase.OPEN;
    }
    return authority;
  }

  @Override
  public boolean rateLimitedAt(String providerId, long nowMillis) {
    Entry e = entries.get(providerId);
    return e != null && e.rateLimitedUntilMillis > nowMillis;
  }

  /** The provider rate-limited this node: it is tried last until {@code untilMillis}. */
  public void rateLimited(String providerId, long untilMillis) {
    Entry e = entries.get(providerId);
    if (e != null && untilMillis > e.rateLimitedUntilMillis) {
      e.rateLimitedUntilMillis = untilMillis; // racing writers both write a near-equal time
    }
  }

  /** Whether this node has tripped the provider on its own (for diagnostics). */
  public boolean trippedLocally(String providerId) {
    Entry e = entries.get(providerId);
    return e != null && e.trippedUntilNanos != 0 && nanoClock.getAsLong() - e.trippedUntilNanos < 0;
  }

  public void onOutcome(String providerId, boolean healthy) {
    Entry e = entries.get(providerId);
    if (e == null) {
      return;
    }
    if (healthy) {
      if (e.streak.get() != 0) {
        e.streak.set(0);
      }
      return;
    }
    if (e.streak.incrementAndGet() >= tripThreshold) {
      e.streak.set(0);
      e.trippedUntilNanos = nanoClock.getAsLong() + tripNanos;
    }
  }

  /** Follows the authority; a provider the cluster has just closed again is no longer tripped here. */
  public void onSnapshot(ChainSnapshot snapshot) {
    for (ProviderStatus status : snapshot.providers().values()) {
      Entry e = entries.get(status.providerId());
      if (e == null) {
        continue;
      }
      BreakerPhase before = e.authority;
      e.authority = status.breaker();
      if (status.breaker() == BreakerPhase.CLOSED && before != BreakerPhase.CLOSED) {
        e.trippedUntilNanos = 0;
        e.streak.set(0);
      }
    }
  }
}
