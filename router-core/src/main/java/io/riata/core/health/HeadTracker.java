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
 *   <li>Voters are the providers that reported within {@link #VOTE_WINDOW_PROBES} probe intervals,
 *       so a provider that went quiet with an old head neither holds the chain head down nor makes
 *       a live one look rogue.
 *   <li>With three voters or more, the chain head is the highest head that a quorum of them has
 *       reached: the {@code quorum}-th highest head (by default a majority of the voters). A
 *       provider more than {@code maxAheadBlocks} above that consensus is rogue: its head is not
 *       believed, its lag is unknown (-1), and selection leaves it out altogether.
 *   <li>With fewer than three voters there is no quorum to check a head against. In a chain of
 *       three or more providers that has a chain head, their highest head is taken only as far
 *       as the chain can have moved since it
 *       last rose ({@code maxAheadBlocks} plus two blocks per probe interval); a head beyond that
 *       is rogue, so a liar left alone when the others go quiet cannot take the chain head. Before
 *       there is a chain head, in a chain of three or more providers, heads are held back for
 *       {@link #BOOTSTRAP_PROBES} probe intervals after the first report, so that a wild first
 *       answer at startup does not set it; after that, and always in smaller chains, the
 *       highest head is taken.
 *   <li>A provider that never reported has an unknown lag (-1), never zero.
 *   <li>The chain head never goes backwards: providers falling behind or restarting with an older
 *       head leave it where it is. A provider's own head may go backwards (reorg, restart, failover
 *       behind its load balancer) and its lag follows.
 * </ul>
 *
 * <p>Known limit: a quorum of providers stalled at the same height outvotes a minority that is
 * right; the stalled ones then look current, and the others rogue once they are {@code maxAheadBlocks}
 * ahead. Roles are re-evaluated on every report.
 */
public final class HeadTracker {
  /** A head reported longer ago than this many probe intervals does not vote. */
  public static final int VOTE_WINDOW_PROBES = 3;
  /** Unchecked heads are held back this many probe intervals after the first report. */
  public static final int BOOTSTRAP_PROBES = 2;
  /** Voters needed before a quorum can outvote a head. */
  public static final int MIN_QUORUM_VOTERS = 3;

  private final String[] ids;
  private final Map<String, Integer> index;
  private final int maxLagBlocks;
  private final long maxAheadBlocks;
  /** Voters that must have reached a head for it to be the chain head; 0 for a majority. */
  private final int quorum;
  private final long voteWindowNanos;
  private final long bootstrapNanos;
  private final long probeNanos;

  private final long[] heads;
  private final long[] reportedAt;
  private final boolean[] reported;
  private final boolean[] rogue;
  private final long[] votes;

  private boolean anyReport;
  private long firstReportNanos;
  private long chainHead = -1;
  /** When the chain head last rose. */
  private long chainHeadAtNanos;
  private long rogueChanges;

  /**
   * @param maxAheadBlocks how far above the consensus a head may be before its provider is rogue
   * @param quorum         voters that must have reached the chain head; 0 for a majority of them
   * @param probeInterval  how often each provider is probed; scales the vote window and the bootstrap wait
   */
  public HeadTracker(Collection<String> providerIds, int maxLagBlocks, long maxAheadBlocks, int quorum,
                     Duration probeInterval) {
    if (maxAheadBlocks < 1) {
      throw new IllegalArgumentException("maxAheadBlocks must be positive, was " + maxAheadBlocks);
    }
    if (quorum < 0) {
      throw new IllegalArgumentException("quorum must be 0 (a majority) or positive, was " + quorum);
    }
    this.ids = providerIds.toArray(String[]::new);
    this.index = new HashMap<>();
    for (int i = 0; i < ids.length; i++) {
      if (index.putIfAbsent(ids[i], i) != null) {
        throw new IllegalArgumentException("duplicate provider id " + ids[i]);
      }
    }
    this.maxLagBlocks = maxLagBlocks;
    this.maxAheadBlocks = maxAheadBlocks;
    this.quorum = quorum;
    this.voteWindowNanos = probeInterval.multipliedBy(VOTE_WINDOW_PROBES).toNanos();
    this.bootstrapNanos = probeInterval.multipliedBy(BOOTSTRAP_PROBES).toNanos();
    this.probeNanos = Math.max(1, probeInterval.toNanos());
    this.heads = new long[ids.length];
    this.reportedAt = new long[ids.length];
    this.reported = new boolean[ids.length];
    this.rogue = new boolean[ids.length];
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
        chain.maxAheadBlocks(),
        chain.headQuorum(),
        HeadProbeSchedule.interval(chain.blockTime()));
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
   * Blocks behind the chain head, or -1 when unknown: the provider never reported, it is rogue,
   * or there is no chain head yet.
   */
  public long lag(String providerId) {
    Integer i = index.get(providerId);
    if (i == null || !reported[i] || rogue[i] || chainHead < 0) {
      return -1;
    }
    return Math.max(0, chainHead - heads[i]);
  }

  /** Whether the provider's lag is known and above the chain's {@code maxLagBlocks}. */
  public boolean isLagging(String providerId) {
    return lag(providerId) > maxLagBlocks;
  }

  /** Whether the provider's head is more than {@code maxAheadBlocks} above what a quorum has reached. */
  public boolean isRogue(String providerId) {
    Integer i = index.get(providerId);
    return i != null && rogue[i];
  }

  /** Grows whenever a provider becomes rogue or stops being rogue (so the pool knows to publish). */
  public long rogueChanges() {
    return rogueChanges;
  }

  private void reevaluate(long nowNanos) {
    int n = 0;
    for (int i = 0; i < ids.length; i++) {
      if (reported[i] && nowNanos - reportedAt[i] <= voteWindowNanos) {
        votes[n++] = heads[i];
      }
    }
    long consensus;
    long believable; // the highest head a provider may report without being rogue
    if (n >= MIN_QUORUM_VOTERS) {
      Arrays.sort(votes, 0, n);
      int needed = quorum == 0 ? n / 2 + 1 : Math.min(quorum, n);
      consensus = votes[n - needed]; // the needed-th highest: that many voters have reached it
      believable = consensus + maxAheadBlocks;
    } else if (chainHead >= 0 && ids.length >= MIN_QUORUM_VOTERS) {
      // Too few voters for a quorum, but a chain head that one was agreed before: a lone voter
      // may carry it on as far as the chain can have moved since (two blocks per probe interval,
      // generous), not jump ahead. Otherwise a liar left alone when the honest providers go
      // quiet would set a chain head that can never come down.
      believable = chainHead + maxAheadBlocks + 2 * ((nowNanos - chainHeadAtNanos) / probeNanos);
      consensus = -1;
      for (int j = 0; j < n; j++) {
        if (votes[j] <= believable) {
          consensus = Math.max(consensus, votes[j]);
        }
      }
    } else if (ids.length < MIN_QUORUM_VOTERS || nowNanos - firstReportNanos >= bootstrapNanos) {
      consensus = -1;
      for (int j = 0; j < n; j++) {
        consensus = Math.max(consensus, votes[j]);
      }
      believable = Long.MAX_VALUE; // nothing to check against yet
    } else {
      consensus = -1; // too few voters to check a head yet, and still early: wait
      believable = Long.MAX_VALUE;
    }
    for (int i = 0; i < ids.length; i++) {
      boolean now = reported[i] && heads[i] > believable;
      if (now != rogue[i]) {
        rogue[i] = now;
        rogueChanges++;
      }
    }
    if (consensus > chainHead) {
      chainHead = consensus;
      chainHeadAtNanos = nowNanos;
    }
  }
}
