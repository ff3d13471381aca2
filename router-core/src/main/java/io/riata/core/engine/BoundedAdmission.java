package io.riata.core.engine;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * At most {@code limit} requests in flight on this node (a batch's elements count one each);
 * the next is refused at once, never queued, so that an overload costs the refused client a
 * quick 503 and the admitted ones nothing.
 */
public final class BoundedAdmission implements NodeAdmission {

  private final int limit;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final LongAdder refused = new LongAdder();

  public BoundedAdmission(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("the node's request limit must be at least 1, got " + limit);
    }
    this.limit = limit;
  }

  @Override
  public boolean tryEnter() {
    for (;;) {
      int now = inFlight.get();
      if (now >= limit) {
        refused.increment();
        return false;
      }
      if (inFlight.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  @Override
  public void exit() {
    inFlight.decrementAndGet();
  }

  public int limit() {
    return limit;
  }

  /** Requests in flight on this node now. */
  public int inFlight() {
    return inFlight.get();
  }

  /** Requests refused since start. */
  public long refused() {
    return refused.sum();
  }
}
