package io.riata.http.ops.dashboard;

import io.riata.core.rollup.ClusterRollup;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * This node's dashboard fan-out. Each cluster rollup is written as JSON once and offered to every
 * subscriber. A subscriber holds at most one unsent rollup: a newer one replaces it (and counts as
 * conflated), so a browser that stops reading costs one reference to the shared text and never
 * slows the others or the hub. There are at most {@code maxSubscribers} subscribers at once.
 */
public final class DashboardFeed implements Consumer<ClusterRollup> {

  private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
  private final int maxSubscribers;
  /** Places taken, counted apart from the set so that taking one is a single atomic step. */
  private final AtomicInteger places = new AtomicInteger();
  private final LongAdder refusedTotal = new LongAdder();
  private final LongAdder conflatedTotal = new LongAdder();
  private volatile String latest;
  private volatile long latestSeq = -1;
  private volatile ClusterRollup latestRollup;

  /** A feed with no bound on its subscribers (tests). */
  public DashboardFeed() {
    this(Integer.MAX_VALUE);
  }

  public DashboardFeed(int maxSubscribers) {
    this.maxSubscribers = maxSubscribers;
  }

  /** Called by the node's {@code DashboardHub}, one rollup at a time. */
  @Override
  public void accept(ClusterRollup rollup) {
    latestRollup = rollup;
    publish(DashboardJson.write(rollup), rollup.seq());
  }

  /** The last cluster rollup this node received, or {@code null} before the first. */
  public ClusterRollup latestRollup() {
    return latestRollup;
  }

  /** Offers already written feed JSON to every subscriber. */
  public void publish(String json, long seq) {
    latest = json;
    latestSeq = seq;
    for (Subscriber s : subscribers) {
      s.offer(json);
    }
  }

  public int maxSubscribers() {
    return maxSubscribers;
  }

  /** Whether the feed has its maximum of subscribers now (a new one would be refused). */
  public boolean full() {
    return places.get() >= maxSubscribers;
  }

  /** Counts a subscriber turned away before it asked (a WebSocket upgrade refused while {@link #full}). */
  public void refused() {
    refusedTotal.increment();
  }

  /**
   * A new subscriber, which gets the latest rollup (if any) at once; {@code null} (and counted as
   * refused) when the feed has its maximum.
   */
  public Subscriber subscribe() {
    if (places.incrementAndGet() > maxSubscribers) {
      places.decrementAndGet();
      refusedTotal.increment();
      return null;
    }
    Subscriber s = new Subscriber();
    subscribers.add(s);
    String now = latest;
    if (now != null) {
      s.offer(now);
    }
    return s;
  }

  public int subscriberCount() {
    return subscribers.size();
  }

  /** Subscribers refused since start because the feed had its maximum. */
  public long refusedTotal() {
    return refusedTotal.sum();
  }

  /** Rollups replaced before they were sent, over all subscribers since start. */
  public long conflatedTotal() {
    return conflatedTotal.sum();
  }

  /** The JSON of the newest rollup, or {@code null} before the first. */
  public String latest() {
    return latest;
  }

  public long latestSeq() {
    return latestSeq;
  }

  public Set<Subscriber> subscribers() {
    return Set.copyOf(subscribers);
  }

  /** One WebSocket connection's slot: at most one unsent rollup. */
  public final class Subscriber {
    private String pending;
    private CompletableFuture<String> waiting;
    private long taken;
    private long conflated;

    void offer(String json) {
      CompletableFuture<String> wake;
      synchronized (this) {
        wake = waiting;
        if (wake != null) {
          waiting = null;
          taken++;
        } else {
          if (pending != null) {
            conflated++;
            conflatedTotal.increment();
          }
          pending = json;
        }
      }
      if (wake != null) {
        wake.complete(json);
      }
    }

    /** The next rollup to send; completes when there is one. Called when the socket wants more. */
    public synchronized CompletionStage<String> next() {
      if (pending != null) {
        String p = pending;
        pending = null;
        taken++;
        return CompletableFuture.completedFuture(p);
      }
      waiting = new CompletableFuture<>();
      return waiting;
    }

    /** Rollups handed to the connection's stream (sent, or in its socket buffers). */
    public synchronized long taken() {
      return taken;
    }

    /** Rollups replaced by a newer one before the connection could take them. */
    public synchronized long conflated() {
      return conflated;
    }

    public void close() {
      if (subscribers.remove(this)) {
        places.decrementAndGet();
      }
    }
  }
}
