package io.riata.core.selection;

import io.riata.core.breaker.BreakerPhase;
import io.riata.core.config.ChainConfig;
import io.riata.core.config.ProviderConfig;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * Picks and orders the providers for one request, in one pass over the chain's configuration:
 *
 * <ol>
 *   <li>Filter. A provider is left out when {@code allowed} rejects it, its method lists rule the
 *       method out, it is drained, this node's breaker for it is open (the {@link BreakerView}, not
 *       the snapshot's authority state, which may be older), its head is rogue (too far ahead of
 *       what a quorum of providers reached to be believed), or its lag is known and exceeds
 *       {@link ChainConfig#maxLagBlocks()}. A provider that never reported a head has an unknown
 *       lag, never zero: it stays in, one tier down.
 *   <li>Block. When the request names a block number, a provider whose head is known (from the
 *       snapshot, or newer from this node's {@link HeadView}) to be below it is left out, as long
 *       as another remaining provider is not known to be below it: a block number Riata handed
 *       out is then read from a provider that has the block, not answered with {@code null}.
 *   <li>Archive. When the request names a block more than {@link ChainConfig#archiveDepth()} below
 *       the chain head and at least one remaining provider is archival, only archival ones are
 *       kept. With none, all stay: a full node may still have the block, so it is worth a try.
 *   <li>Order. The strategy orders what is left, then a stable sort by {@link HealthTier} puts
 *       healthy providers first, then uncertain ones (breaker half-open, lag unknown), then
 *       rate-limited ones. Health thus overrides every strategy, and the strategy decides within a tier.
 * </ol>
 *
 * <p>Given a deterministic strategy the result is deterministic. Filling a {@link Selection} the
 * caller keeps allocates nothing: the candidates are reused per thread.
 */
public final class Selector {
  private static final HealthTier[] TIERS = HealthTier.values();
  private static final ThreadLocal<Candidate[]> SCRATCH = ThreadLocal.withInitial(() -> fill(new Candidate[16], 0));

  private Selector() {}

  /**
   * @param requestedBlock the block the request reads, or -1 for latest, pending or no block
   * @param allowed        the route's restriction (profile or pinned provider); {@code null} allows all
   * @param nowMillis      wall-clock time, compared with rate-limit deadlines
   */
  public static Selection select(
      ChainConfig chain,
      ChainSnapshot snapshot,
      BreakerView breakers,
      LatencyView latency,
      Strategy strategy,
      String method,
      long requestedBlock,
      Predicate<ProviderConfig> allowed,
      long nowMillis) {
    return select(chain, snapshot, breakers, latency, strategy, method, requestedBlock, HeadView.SNAPSHOT, allowed,
        nowMillis, new Selection());
  }

  /**
   * Like the other {@code select}, with the providers' heads as this node knows them ({@code heads}),
   * into {@code into} (emptied first), which it returns.
   */
  public static Selection select(
      ChainConfig chain,
      ChainSnapshot snapshot,
      BreakerView breakers,
      LatencyView latency,
      Strategy strategy,
      String method,
      long requestedBlock,
      HeadView heads,
      Predicate<ProviderConfig> allowed,
      long nowMillis,
      Selection into) {
    List<ProviderConfig> configured = chain.providers();
    int n = configured.size();
    Candidate[] candidates = scratch(n);
    into.reset(n);
    long chainHead = snapshot.chainHead();
    boolean needLatency = strategy.usesLatency();
    int count = 0;
    int archival = 0;

    for (int i = 0; i < n; i++) {
      ProviderConfig p = configured.get(i);
      if (allowed != null && !allowed.test(p)) {
        into.exclude(Selection.Exclusion.NOT_ALLOWED);
        continue;
      }
      if (!p.allows(method)) {
        into.exclude(Selection.Exclusion.METHOD_NOT_SUPPORTED);
        continue;
      }
      ProviderStatus status = snapshot.providers().get(p.id());
      if (status != null && status.drained()) {
        into.exclude(Selection.Exclusion.DRAINED);
        continue;
      }
      BreakerPhase phase = breakers.phase(p.id());
      if (phase == BreakerPhase.OPEN) {
        into.exclude(Selection.Exclusion.BREAKER_OPEN);
        continue;
      }
      if (status != null && status.rogue()) {
        into.exclude(Selection.Exclusion.ROGUE);
        continue;
      }
      boolean lagKnown = chainHead >= 0 && status != null && status.head() >= 0 && status.lag() >= 0;
      if (lagKnown && status.lag() > chain.maxLagBlocks()) {
        into.exclude(Selection.Exclusion.LAGGING);
        continue;
      }
      HealthTier tier;
      if (status != null && status.rateLimitedAt(nowMillis) || breakers.rateLimitedAt(p.id(), nowMillis)) {
        tier = HealthTier.RATE_LIMITED;
      } else if (phase == BreakerPhase.HALF_OPEN || !lagKnown) {
        tier = HealthTier.UNCERTAIN;
      } else {
        tier = HealthTier.HEALTHY;
      }
      double lat = needLatency ? latency.latencyNanos(p.id(), method) : Double.NaN;
      candidates[count].set(p, i, tier, lat);
      if (requestedBlock >= 0) {
        long head = heads.knownHead(p.id(), status);
        candidates[count].behind(head >= 0 && head < requestedBlock);
      }
      count++;
      if (p.archival()) {
        archival++;
      }
    }

    if (requestedBlock >= 0) {
      int kept = 0;
      for (int i = 0; i < count; i++) {
        if (!candidates[i].behind()) {
          Candidate c = candidates[kept];
          candidates[kept++] = candidates[i];
          candidates[i] = c;
        }
      }
      if (kept > 0 && kept < count) {
        into.excluded(Selection.Exclusion.BEHIND_BLOCK, count - kept);
        count = kept;
      }
    }

    boolean archiveOnly = false;
    if (archival > 0
        && archival < count
        && requestedBlock >= 0
        && chainHead >= 0
        && chainHead - requestedBlock > chain.archiveDepth()) {
      int kept = 0;
      for (int i = 0; i < count; i++) {
        if (candidates[i].provider().archival()) {
          Candidate c = candidates[kept];
          candidates[kept++] = candidates[i];
          candidates[i] = c;
        }
      }
      into.excluded(Selection.Exclusion.NOT_ARCHIVAL, count - kept);
      count = kept;
      archiveOnly = true;
    }

    if (count > 1) {
      strategy.order(candidates, count, method);
    }

    for (HealthTier tier : TIERS) {
      for (int i = 0; i < count; i++) {
        if (candidates[i].tier() == tier) {
          into.add(candidates[i].provider());
        }
      }
    }
    // Scratch outlives the request; do not let it pin configurations replaced by a reload.
    for (int i = 0; i < n; i++) {
      candidates[i].clear();
    }
    into.archiveOnly(archiveOnly);
    return into;
  }

  private static Candidate[] scratch(int n) {
    Candidate[] a = SCRATCH.get();
    if (a.length < n) {
      a = fill(Arrays.copyOf(a, Math.max(n, a.length * 2)), a.length);
      SCRATCH.set(a);
    }
    return a;
  }

  private static Candidate[] fill(Candidate[] a, int from) {
    for (int i = from; i < a.length; i++) {
      a[i] = new Candidate();
    }
    return a;
  }
}
