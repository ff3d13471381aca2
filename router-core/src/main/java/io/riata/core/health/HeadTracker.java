package io.riata.core.health;

import io.riata.core.config.ChainConfig;
import io.riata.core.config.ProviderConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Folds the heads that providers report into a chain head and a lag per provider. Mutable and
 * single-threaded: it lives inside the chain's pool actor, which publishes what it computes.
 *
 * <ul>
 *   <li>A provider that never reported has an unknown lag (-1), never zero.
 *   <li>A head more than {@code outlierBlocks} above the median head of the other voting providers
 *       (at least two of them) is an outlier: it does not raise the chain head, so the honest
 *       providers do not look behind. Its own lag is unknown (-1) because its head is not
 *       believed. Voters are the providers that reported within {@link #VOTE_WINDOW_PROBES} probe
 *       intervals, so a provider that went quiet with an old head cannot make a live one look
 *       like an outlier. With an even number of voters the higher middle value is the median, so
 *       one lagging provider cannot outvote an honest one either.
 *   <li>With fewer than two voters there is nothing to check against. In a chain of three or more
 *       providers such a head is held back for {@link #BOOTSTRAP_PROBES} probe intervals after the
 *       first report, so that a wild first answer at startup does not set a chain head that could
 *       never come down again; after that, and always in smaller chains, it is taken as it is.
 *   <li>The chain head never goes backwards: a lagging provider or one restarted with an older
 *       head leaves it where it is.
 *   <li>A provider's own head may go backwards (reorg, restart, failover behind its load balancer)
 *       and its lag follows.
 * </ul>
 *
 * <p>Known limit: a majority of providers stalled at the same height outvotes a minority that is
 * right; the stalled ones then look current and the honest ones become outliers until the others move.
 * Outlier status is re-evaluated on every report.
 */
public final class HeadTracker {
  /** A head reported longer ago than this many probe intervals does not vote. */
  public static final int VOTE_WINDOW_PROBES = 3;
  /** Unchecked heads are held back this many probe intervals after the first report. */
  public static final int BOOTSTRAP_PROBES = 2;

  private final String[] ids;
  private final Map<String, Integer> index;
  private final int maxLagBlocks;
  private final long outlierBlocks;
  private final long voteWindowNanos;
  private final long bootstrapNanos;

  private final long[] heads;
  private final long[] reportedAt;
  private final boolean[] reported;
  private final boolean[] outlier;
  private final long[] votes;

  private boolean anyReport;
  private long firstReportNanos;
  private long chainHead = -1;

  /**
   * @param outlierBlocks how far above the others' median a head may be before it is not believed
   * @param probeInterval how often each provider is probed; scales the vote window and the bootstrap wait
   */
  public HeadTracker(Collection<String> providerIds, int maxLagBlocks, long outlierBlocks, Duration probeInterval) {
    if (outlierBlocks < 1) {
      throw new IllegalArgumentException("outlierBlocks must be positive, was " + outlierBlocks);
    }
    this.ids = providerIds.toArray(String[]::new);
    this.index = new HashMap<>();
    for (int i = 0; i < ids.length; i++) {
      if (index.putIfAbsent(ids[i], i) != null) {
        throw new IllegalArgumentException("duplicate provider id " + ids[i]);
      }
    }
    this.maxLagBlocks = maxLagBlocks;
    this.outlierBlocks = outlierBlocks;
    this.voteWindowNanos = probeInterval.multipliedBy(VOTE_WINDOW_PROBES).toNanos();
    this.bootstrapNanos = probeInterval.multipliedBy(BOOTSTRAP_PROBES).toNanos();
    this.heads = new long[ids.length];
    this.reportedAt = new long[ids.length];
    this.reported = new boolean[ids.length];
    this.outlier = new boolean[ids.length];
    this.votes = new long[ids.length];
    Arrays.fill(heads, -1);
  }

  /** A tracker for the chain's providers, probed at {@link HeadProbeSchedule#interval}. */
  public static HeadTracker forChain(ChainConfig chain) {
    List<String> ids = new ArrayList<>();
    for (ProviderConfig p : chain.providers()) {
      ids.add(p.id());
    }
    return new HeadTracker(
        ids,
        chain.maxLagBlocks(),
        defaultOutlierBlocks(chain.maxLagBlocks()),
        HeadProbeSchedule.interval(chain.blockTime()));
  }

  /** Well beyond any lag we tolerate, so a provider that is merely fast is never mistaken for a liar. */
  public static long defaultOutlierBlocks(int maxLagBlocks) {
    return Math.max(64L, 4L * maxLagBlocks);
  }

  /** Records a head; reports for unknown providers and negative heads are ignored. */
  public void report(String providerId, long head, long nowNanos) {
    Integer i = index.get(providerId);
    if (i == null || head < 0) {
      return;
    }
    if (!anyReport) {
      anyReport = true;
      firstReportNanos = nowNanos;
    }
    heads[i] = head;
    reportedAt[i] = nowNanos;
    reported[i] = true;
    reevaluate(nowNanos);
  }

  /** The highest credible head, or -1 until there is one. Never decreases. */
  public long chainHead() {
    return chainHead;
  }

  /** The provider's last reported head, or -1 if it never reported. */
  public long head(String providerId) {
    Integer i = index.get(providerId);
    return i == null ? -1 : heads[i];
  }

  /**
   * Blocks behind the chain head, or -1 when unknown: the provider never reported, its head is an
   * outlier, or there is no credible chain head yet.
   */
  public long lag(String providerId) {
    Integer i = index.get(providerId);
    if (i == null || !reported[i] || outlier[i] || chainHead < 0) {
      return -1;
    }
    return Math.max(0, chainHead - heads[i]);
  }

  /** Whether the provider's lag is known and above the chain's {@code maxLagBlocks}. */
  public boolean isLagging(String providerId) {
    return lag(providerId) > maxLagBlocks;
  }

  public boolean isOutlier(String providerId) {
    Integer i = index.get(providerId);
    return i != null && outlier[i];
  }

  private void reevaluate(long nowNanos) {
    boolean bootstrapOver = ids.length < 3 || nowNanos - firstReportNanos >= bootstrapNanos;
    long best = -1;
    for (int i = 0; i < ids.length; i++) {
      if (!reported[i]) {
        continue;
      }
      int n = 0;
      for (int j = 0; j < ids.length; j++) {
        if (j != i && reported[j] && nowNanos - reportedAt[j] <= voteWindowNanos) {
          votes[n++] = heads[j];
        }
      }
      boolean credible;
      if (n >= 2) {
        Arrays.sort(votes, 0, n);
        long median = votes[n / 2];
        outlier[i] = heads[i] - median > outlierBlocks;
        credible = !outlier[i];
      } else {
        outlier[i] = false;
        credible = bootstrapOver;
      }
      if (credible && heads[i] > best) {
        best = heads[i];
      }
    }
    if (best > chainHead) {
      chainHead = best;
    }
  }
}
