package io.riata.core.metrics;

import io.riata.core.selection.LatencyView;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * This node's smoothed latency per provider and method: an exponentially weighted moving average,
 * the first sample taken as is, and an estimate of the recent 95th percentile (each sample above
 * the estimate raises it by 9.5 % of itself, each one at or below lowers it by 0.5 %, so it
 * settles where 5 % of samples lie above; it follows a change within a few dozen samples). Thread-safe; recording and reading take no locks once a provider and method
 * have been seen (the first sight inserts into a concurrent map).
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
  /** Relative steps of the 95th percentile estimate: 19 times larger up than down. */
  static final double P95_UP = 0.095;
  static final double P95_DOWN = 0.005;
  private static final int EWMA = 0;
  private static final int P95 = 1;

  private final double alpha;
  private final int maxMethods;
  private final ConcurrentHashMap<String, BoundedCells<AtomicLongArray>> providers = new ConcurrentHashMap<>();

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
    BoundedCells<AtomicLongArray> p = providers.get(providerId);
    if (p == null) {
      p = providers.computeIfAbsent(providerId, id -> new BoundedCells<>(maxMethods, LatencyTracker::unmeasured));
    }
    AtomicLongArray cell = p.forWrite(method);
    double sample = nanos;
    long old;
    long updated;
    do {
      old = cell.get(EWMA);
      double prev = Double.longBitsToDouble(old);
      double next = Double.isNaN(prev) ? sample : prev + alpha * (sample - prev);
      updated = Double.doubleToRawLongBits(next);
    } while (!cell.compareAndSet(EWMA, old, updated));
    do {
      old = cell.get(P95);
      double prev = Double.longBitsToDouble(old);
      double next = Double.isNaN(prev) ? sample : sample > prev ? prev * (1 + P95_UP) : prev * (1 - P95_DOWN);
      updated = Double.doubleToRawLongBits(Math.max(next, 1));
    } while (!cell.compareAndSet(P95, old, updated));
  }

  private static AtomicLongArray unmeasured() {
    AtomicLongArray cell = new AtomicLongArray(2);
    cell.set(EWMA, UNMEASURED);
    cell.set(P95, UNMEASURED);
    return cell;
  }

  @Override
  public double latencyNanos(String providerId, String method) {
    return read(providerId, method, EWMA);
  }

  /** The recent 95th percentile estimate in nanoseconds, or {@code Double.NaN} when not yet measured. */
  @Override
  public double p95Nanos(String providerId, String method) {
    return read(providerId, method, P95);
  }

  private double read(String providerId, String method, int which) {
    BoundedCells<AtomicLongArray> p = providers.get(providerId);
    if (p == null) {
      return Double.NaN;
    }
    AtomicLongArray cell = p.forRead(method);
    return cell == null ? Double.NaN : Double.longBitsToDouble(cell.get(which));
  }

  /** Distinct methods tracked for the provider, not counting the overflow estimate. */
  public int methodCount(String providerId) {
    BoundedCells<AtomicLongArray> p = providers.get(providerId);
    return p == null ? 0 : p.own().size();
  }
}
