package io.riata.core.rollup;

import io.riata.core.failover.OutcomeKind;
import io.riata.core.metrics.BoundedCells;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The request path's side of the dashboard, for one chain on one node: every attempt and every
 * answered request bumps lock-free counters here, and every rollup interval one thread
 * {@link #drain() drains} them into per provider x method stats. Recording takes no lock, sends no
 * message and allocates nothing once a provider and method have been seen, except for the few
 * decisions kept as samples.
 *
 * <p>Bounded: at most {@code maxMethods} distinct methods per provider are kept apart, the rest
 * are counted under {@link #OTHER_METHODS}, so clients sending made-up method names cannot grow it.
 * Draining reads and zeroes each counter atomically, so a count is never lost nor counted twice:
 * an increment racing with a drain lands in this rollup or the next.
 */
public final class RollupRecorder {

  /** The pseudo-provider of requests Riata answered itself (eth_chainId, or no provider could). */
  public static final String RIATA = "riata";
  /** Methods beyond a provider's {@code maxMethods} are counted under this name. */
  public static final String OTHER_METHODS = "other";

  private static final OutcomeKind[] KINDS = OutcomeKind.values();
  private static final int STRIPES = Math.min(8, Integer.highestOneBit(
      Math.max(1, Runtime.getRuntime().availableProcessors() * 2 - 1)));

  private final int maxMethods;
  private final int sampleCap;
  private final ConcurrentHashMap<String, BoundedCells<Cell>> providers = new ConcurrentHashMap<>();
  private final AtomicReferenceArray<Decision> samples;
  private final AtomicInteger sampleClaims = new AtomicInteger();
  private final LongAdder retries = new LongAdder();
  private final LongAdder retriesDenied = new LongAdder();
  private final LongAdder hedges = new LongAdder();
  private final LongAdder hedgesWon = new LongAdder();

  public RollupRecorder(int maxMethods, int sampleCap) {
    this.maxMethods = maxMethods;
    this.sampleCap = sampleCap;
    this.samples = new AtomicReferenceArray<>(Math.max(0, sampleCap));
  }

  /** One attempt against a provider, however it ended. */
  public void attempt(String providerId, String method, OutcomeKind kind, long nanos) {
    Cell c = cell(providerId, method);
    c.outcomes[kind.ordinal()].increment();
    c.latency[stripe()].incrementAndGet(LatencyHistogram.bucketOf(nanos));
  }

  /**
   * One request answered.
   *
   * @param providerId the provider whose answer went back, or {@link #RIATA}
   * @param unanswered Riata answered with its own error because no provider could
   */
  public void request(String providerId, String method, int attempts, boolean unanswered) {
    Cell c = cell(providerId, method);
    c.requests.increment();
    if (attempts > 1) {
      c.failovers.increment();
    }
    if (unanswered) {
      c.unanswered.increment();
    }
  }

  /** A retry ({@code hedge} false) or a hedge went to another provider. */
  public void retried(boolean hedge) {
    (hedge ? hedges : retries).increment();
  }

  /** A retry or hedge was not sent: the chain's retry budget was spent. */
  public void retryDenied() {
    retriesDenied.increment();
  }

  /** A request was answered by its hedge. */
  public void hedgeWon() {
    hedgesWon.increment();
  }

  /** Whether a sample would still be kept in this interval: check before building one. */
  public boolean wantsSample() {
    return sampleClaims.get() < sampleCap;
  }

  /** Keeps a decision if fewer than {@code sampleCap} were kept in this interval. */
  public void sample(Decision decision) {
    if (sampleClaims.get() >= sampleCap) {
      return;
    }
    int slot = sampleClaims.getAndIncrement();
    if (slot < sampleCap) {
      samples.set(slot, decision);
    }
  }

  /** What was recorded since the last drain. Call from one thread at a time. */
  public Drained drain() {
    Map<String, List<MethodStats>> byProvider = new LinkedHashMap<>();
    for (Map.Entry<String, BoundedCells<Cell>> p : providers.entrySet()) {
      List<MethodStats> methods = new ArrayList<>();
      for (Map.Entry<String, Cell> m : p.getValue().own().entrySet()) {
        MethodStats s = m.getValue().drain(m.getKey());
        if (s != null) {
          methods.add(s);
        }
      }
      MethodStats other = p.getValue().overflow().drain(OTHER_METHODS);
      if (other != null) {
        methods.add(other);
      }
      if (!methods.isEmpty()) {
        byProvider.put(p.getKey(), methods);
      }
    }
    List<Decision> kept = new ArrayList<>();
    for (int i = 0; i < sampleCap; i++) {
      Decision d = samples.getAndSet(i, null);
      if (d != null) {
        kept.add(d);
      }
    }
    // Slots are emptied before claims reopen, so a late writer can at worst overwrite a sample of
    // the next interval, and the cap holds.
    sampleClaims.set(0);
    RetryCounts retried = new RetryCounts(retries.sumThenReset(), retriesDenied.sumThenReset(),
        hedges.sumThenReset(), hedgesWon.sumThenReset());
    return new Drained(Collections.unmodifiableMap(byProvider), List.copyOf(kept), retried);
  }

  /**
   * Stats per provider (only providers and methods with traffic), the sampled decisions, and the
   * chain's retries and hedges.
   */
  public record Drained(Map<String, List<MethodStats>> providers, List<Decision> decisions, RetryCounts retries) {}

  private Cell cell(String providerId, String method) {
    BoundedCells<Cell> p = providers.get(providerId);
    if (p == null) {
      p = providers.computeIfAbsent(providerId, id -> new BoundedCells<>(maxMethods, Cell::new));
    }
    return p.forWrite(method);
  }

  private static int stripe() {
    return (int) Thread.currentThread().getId() & (STRIPES - 1);
  }

  private static final class Cell {
    final LongAdder requests = new LongAdder();
    final LongAdder failovers = new LongAdder();
    final LongAdder unanswered = new LongAdder();
    final LongAdder[] outcomes = new LongAdder[KINDS.length];
    final AtomicLongArray[] latency = new AtomicLongArray[STRIPES];

    Cell() {
      for (int i = 0; i < outcomes.length; i++) {
        outcomes[i] = new LongAdder();
      }
      for (int i = 0; i < latency.length; i++) {
        latency[i] = new AtomicLongArray(LatencyHistogram.BUCKETS);
      }
    }

    /** The stats since the last drain, or {@code null} when nothing happened. */
    MethodStats drain(String method) {
      long req = requests.sumThenReset();
      long fo = failovers.sumThenReset();
      long un = unanswered.sumThenReset();
      long[] byKind = new long[KINDS.length];
      long attempts = 0;
      for (int i = 0; i < byKind.length; i++) {
        byKind[i] = outcomes[i].sumThenReset();
        attempts += byKind[i];
      }
      LatencyHistogram h = LatencyHistogram.empty();
      for (AtomicLongArray stripe : latency) {
        h = h.merge(LatencyHistogram.drain(stripe));
      }
      if (req == 0 && attempts == 0 && h.buckets().length == 0) {
        return null;
      }
      return new MethodStats(method, req, fo, un, Outcomes.of(byKind), h);
    }
  }
}
