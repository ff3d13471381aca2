package io.riata.http.data;

import io.netty.channel.EventLoop;
import io.riata.core.engine.LoopLagAdmission;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How far behind one event loop of the data plane is, and whether it admits the next request.
 * A task on the loop runs every {@link #PERIOD_NANOS} (each run schedules the next from its own
 * end, so after a pause the lag is measured afresh rather than caught up) and measures how late it
 * ran: time the loop spent on other work first, or waiting for a CPU. Each measure goes to the
 * loop's {@link LoopLagAdmission} when admission on lag is on; the request intake asks it on the
 * same loop, so the request path reads one field and takes no lock.
 */
final class LoopLag implements Runnable {

  static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private final EventLoop loop;
  /** {@code null} when admission on lag is off: the lag is still measured, for the metric. */
  private final LoopLagAdmission admission;
  /** The most lag measured since {@link #takeMost()}; raised on the loop, taken by the metrics reader. */
  private final AtomicLong most = new AtomicLong();
  private long due;

  LoopLag(EventLoop loop, LoopLagAdmission admission) {
    this.loop = loop;
    this.admission = admission;
  }

  void start() {
    loop.execute(() -> {
      due = System.nanoTime() + PERIOD_NANOS;
      loop.schedule(this, PERIOD_NANOS, TimeUnit.NANOSECONDS);
    });
  }

  @Override
  public void run() {
    long now = System.nanoTime();
    long lag = Math.max(0, now - due);
    if (admission != null) {
      admission.probed(now, lag);
    }
    if (lag > most.get()) {
      most.accumulateAndGet(lag, Math::max);
    }
    if (!loop.isShuttingDown()) {
      due = now + PERIOD_NANOS;
      loop.schedule(this, PERIOD_NANOS, TimeUnit.NANOSECONDS);
    }
  }

  /** Whether the next request on this loop is admitted. On the loop only. */
  boolean admits() {
    return admission == null || admission.admits();
  }

  /** The share of requests this loop admits now (1 when admission on lag is off). Any thread. */
  double share() {
    return admission == null ? 1 : admission.share();
  }

  /** The most lag measured since the last call, in nanoseconds, and starts over. Any thread. */
  long takeMost() {
    return most.getAndSet(0);
  }
}
