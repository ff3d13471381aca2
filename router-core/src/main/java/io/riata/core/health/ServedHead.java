package io.riata.core.health;

import io.riata.core.selection.ChainSnapshot;
import io.riata.core.selection.HeadView;
import io.riata.core.selection.ProviderStatus;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The highest head this node has served for one chain, and what this node has seen of each
 * provider's head since the last snapshot. Lock-free; read and raised on the request path.
 *
 * <ul>
 *   <li>The served head only rises: from {@code eth_blockNumber} answers this node gave, and from
 *       the chain head of each snapshot (so it follows the cluster's head within one snapshot).
 *   <li>A provider's seen head is what it showed this node since the last snapshot: the number it
 *       answered to {@code eth_blockNumber}, or one below a block it answered {@code null} for. It
 *       is newer than the snapshot's head for the provider (from the pool's last probe), so it
 *       stands in for it, higher or lower (a provider's own head may go backwards), until the
 *       next snapshot, which replaces every seen head.
 * </ul>
 */
public final class ServedHead implements HeadView {

  private final AtomicLong served = new AtomicLong(-1);
  private final Map<String, Integer> index;
  private final AtomicLongArray seen;

  public ServedHead(List<String> providerIds) {
    Map<String, Integer> map = new HashMap<>();
    for (String id : providerIds) {
      map.putIfAbsent(id, map.size());
    }
    this.index = Map.copyOf(map);
    this.seen = new AtomicLongArray(map.size());
    for (int i = 0; i < seen.length(); i++) {
      seen.set(i, -1);
    }
  }

  /** The highest head served or known on this node, or -1 before there is one. */
  public long served() {
    return served.get();
  }

  /** Raises the served head to {@code head} if that is higher; returns the served head after. */
  public long serve(long head) {
    long current = served.get();
    while (head > current) {
      if (served.compareAndSet(current, head)) {
        return head;
      }
      current = served.get();
    }
    return current;
  }

  /** The provider showed {@code head} as its head (the latest observation wins). */
  public void seen(String providerId, long head) {
    Integer i = index.get(providerId);
    if (i != null && head >= 0) {
      seen.set(i, head);
    }
  }

  /**
   * The newest this node knows of the provider's head: what it showed since the last snapshot, else
   * the snapshot's; -1 when neither is known.
   */
  @Override
  public long knownHead(String providerId, ProviderStatus status) {
    Integer i = index.get(providerId);
    long own = i == null ? -1 : seen.get(i);
    return own >= 0 ? own : status == null ? -1 : status.head();
  }

  /** A new snapshot: the served head follows its chain head, and the snapshot's heads replace the seen ones. */
  public void follow(ChainSnapshot snapshot) {
    serve(snapshot.chainHead());
    for (int i = 0; i < seen.length(); i++) {
      seen.set(i, -1);
    }
  }
}
