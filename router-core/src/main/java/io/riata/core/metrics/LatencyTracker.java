package io.riata.core.metrics;

import io.riata.core.selection.LatencyView;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This node's smoothed latency per provider and method: an exponentially weighted moving average,
 * the first sample taken as is. Thread-safe; recording and reading take no locks once a
 * provider and method have been seen (the first sight inserts into a concurrent map).
 *
 * <p>Memory is bounded: each provider tracks at most {@code maxMethods} distinct methods (256 by
 * default). Further methods share one overflow estimate per provider, both when recorded and when
 * read, so a client sending made-up method names cannot grow the table. Provider ids are the
 * configuration's, so their number is bounded by it; use one tracker per chain unless ids are
 * unique across chains.
 */
public final class LatencyTracker implements LatencyView {
  public static final double DEFAULT_ALPHA = 0.2;
  public static final int DEFAULT_MAX_METHODS = 256;

  private static final long UNMEASURED = Double.doubleToRawLongBits(Double.NaN);

  private final double alpha;
  private final int maxMethods;
  private final ConcurrentHashMap<String, BoundedCells<AtomicLong>> providers = new ConcurrentHashMap<>();

  public LatencyTracker() {
    this(DEFAULT_ALPHA, DEFAULT_MAX_METHODS);
  }

  /** @param alpha weight of each new sample, in (0, 1]; higher follows changes faster but is noisier */
  public LatencyTracker(double alpha, int maxMethods) {
    if (!(alpha > 0 && alpha <= 1)) {
      throw new IllegalArgumentException("alpha must be in (0, 1], was " + alpha);
    }
    if (maxMethods < 0) {
      throw new IllegalArgumentException("maxMethods must not be negative, was " + maxMethods);
    }
    this.alpha = alpha;
    this.maxMethods = maxMethods;
  }

  /** Adds one observed latency; negative durations (a clock glitch) are ignored. */
  public void record(String providerId, String method, long nanos) {
    if (nanos < 0) {
      return;
    }
    BoundedCells<AtomicLong> p = providers.get(providerId);
    if (p == null) {
      p = providers.computeIfAbsent(providerId, id -> new BoundedCells<>(maxMethods, () -> new AtomicLong(UNMEASURED)));
    }
    AtomicLong cell = p.forWrite(method);
    double sample = nanos;
    long old;
    long updated;
    do {
      old = cell.get();
      double prev = Double.longBitsToDouble(old);
      double next = Double.isNaN(prev) ? sample : prev + alpha * (sample - prev);
      updated = Double.doubleToRawLongBits(next);
    } while (!cell.compareAndSet(old, updated));
  }

  @Override
  public double latencyNanos(String providerId, String method) {
    BoundedCells<AtomicLong> p = providers.get(providerId);
    if (p == null) {
      return Double.NaN;
    }
    AtomicLong cell = p.forRead(method);
    return cell == null ? Double.NaN : Double.longBitsToDouble(cell.get());
  }

  /** Distinct methods tracked for the provider, not counting the overflow estimate. */
  public int methodCount(String providerId) {
    BoundedCells<AtomicLong> p = providers.get(providerId);
    return p == null ? 0 : p.own().size();
  }
}
