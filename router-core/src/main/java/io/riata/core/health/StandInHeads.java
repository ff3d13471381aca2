package io.riata.core.health;

import io.riata.core.breaker.BreakerPhase;
import io.riata.core.config.ChainConfig;
import io.riata.core.selection.ChainSnapshot;
import io.riata.core.selection.ProviderStatus;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One node's own view of a chain's heads while the chain's pool is silent (its node died or is cut
 * off, and the pool has not started again elsewhere). The node probes the providers itself and
 * lays what it learns over the last snapshot the pool published, so lag and rogue exclusion keep
 * working instead of freezing at that snapshot.
 *
 * <p>Heads are judged by a {@link HeadTracker} of its own, seeded with the heads of the pool's last
 * snapshot, so it has a quorum from the first probe on instead of waiting out a bootstrap. What
 * only the pool knows (drains, rate-limit cool-downs, finality) is kept from its snapshot. The
 * breaker phase too, except for a provider the snapshot shows open (or half-open) that answers this
 * node's probes: half-open after its first answer (traffic again, behind the healthy providers),
 * closed after {@link #CLOSE_AFTER_ANSWERS} in a row, as its breaker would have closed had the
 * pool been there to hear it. A provider revived while the pool is away thus gets its share again.
 * One failed probe puts it back where the snapshot had it; counting failures towards tripping a
 * provider is the node's local breaker view's business, not this class's.
 *
 * <p>Mutable and single-threaded, like the tracker: it belongs to one actor. The snapshots it
 * derives are immutable.
 */
public final class StandInHeads {

  /** Answers in a row after which a provider the pool's snapshot shows open is taken as closed. */
  public static final int CLOSE_AFTER_ANSWERS = 3;

  private final HeadTracker tracker;
  /** Answers in a row per provider since its last failed probe. */
  private final Map<String, Integer> answers = new HashMap<>();

  /**
   * @param chain     the chain's configuration (its providers, lag and quorum settings)
   * @param lastPool  the pool's last snapshot: its heads seed the tracker
   * @param nowNanos  the tracker's clock now
   */
  public StandInHeads(ChainConfig chain, ChainSnapshot lastPool, long nowNanos) {
    this.tracker = HeadTracker.forChain(chain);
    for (ProviderStatus s : lastPool.providers().values()) {
      if (s.head() >= 0) {
        tracker.report(s.providerId(), s.head(), nowNanos);
      }
    }
  }

  /** A probe of this node got {@code head} from the provider. */
  public void answered(String providerId, long head, long nowNanos) {
    tracker.report(providerId, head, nowNanos);
    answers.merge(providerId, 1, Integer::sum);
  }

  /** A probe of this node failed: the provider's run of answers starts again. */
  public void failed(String providerId) {
    answers.remove(providerId);
  }

  /** The chain head as this node now judges it: never below the pool's. */
  public long chainHead(ChainSnapshot lastPool) {
    return Math.max(lastPool.chainHead(), tracker.chainHead());
  }

  /**
   * The pool's last snapshot with this node's heads, lags and rogue flags in it, and the breaker
   * phases of providers that answer. Keeps the snapshot's version: it is the pool's state that it
   * extends, and a newer publication from the pool replaces it whole.
   */
  public ChainSnapshot derive(ChainSnapshot lastPool) {
    long chainHead = chainHead(lastPool);
    Map<String, ProviderStatus> statuses = new LinkedHashMap<>();
    for (ProviderStatus s : lastPool.providers().values()) {
      String id = s.providerId();
      long head = tracker.head(id) >= 0 ? tracker.head(id) : s.head();
      boolean rogue = tracker.isRogue(id);
      long lag = rogue || head < 0 || chainHead < 0 ? -1 : Math.max(0, chainHead - head);
      BreakerPhase breaker = s.breaker();
      int answered = answers.getOrDefault(id, 0);
      if (breaker != BreakerPhase.CLOSED && answered > 0) {
        breaker = answered >= CLOSE_AFTER_ANSWERS ? BreakerPhase.CLOSED : BreakerPhase.HALF_OPEN;
      }
      statuses.put(id, new ProviderStatus(id, head, lag, s.drained(), s.rateLimitedUntilMillis(), breaker, rogue,
          s.safe(), s.finalized(), s.finalizedWentBack()));
    }
    return new ChainSnapshot(lastPool.chain(), lastPool.version(), chainHead, statuses);
  }
}
