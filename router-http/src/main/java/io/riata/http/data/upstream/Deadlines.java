package io.riata.http.data.upstream;

import io.netty.channel.EventLoop;
import io.riata.core.engine.Cancellable;
import java.util.concurrent.TimeUnit;

/**
 * The attempt timeouts and the engine's timers (hedges, waits for a block) of one event loop.
 * Rather than a timer per attempt (a task queued and cancelled per request, and the loop's
 * wake-up time moved each time), the exchanges in flight and the timers sit in lists and one
 * check every {@value #TICK_MILLIS} ms fails the exchanges whose time is up and runs the timers
 * that are due, so either fires at most that much late. The check stops a second after the last exchange ended
 * and starts again with the next. Used on its event loop only.
 */
final class Deadlines implements Runnable {

  static final long TICK_MILLIS = 5;
  private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final EventLoop loop;
  private Exchange first;
  private Exchange last;
  /** The engine's timers (hedges, waits for a block), in the order they were set. */
  private Timer firstTimer;
  private Timer lastTimer;
  private boolean ticking;
  private long lastBusyNanos;

  /**
   * A task to run on the loop at a time, checked by the same tick as the timeouts: it fires up to
   * {@value #TICK_MILLIS} ms late, costs one small object and no queue operation to set or cancel.
   */
  static final class Timer implements Cancellable {
    private final Deadlines owner;
    private final Runnable task;
    private final long atNanos;
    private Timer previous;
    private Timer next;
    private boolean done;

    private Timer(Deadlines owner, Runnable task, long atNanos) {
      this.owner = owner;
      this.task = task;
      this.atNanos = atNanos;
    }

    /** Must be called on the loop, like everything here. */
    @Override
    public void cancel() {
      if (!done) {
        done = true;
        owner.unlink(this);
      }
    }
  }

  /** Runs {@code task} on the loop after about {@code delayNanos}. */
  Timer schedule(long delayNanos, Runnable task) {
    Timer t = new Timer(this, task, System.nanoTime() + Math.max(0, delayNanos));
    t.previous = lastTimer;
    if (lastTimer == null) {
      firstTimer = t;
    } else {
      lastTimer.next = t;
    }
    lastTimer = t;
    tick();
    return t;
  }

  private void unlink(Timer t) {
    if (t.previous == null) {
      firstTimer = t.next;
    } else {
      t.previous.next = t.next;
    }
    if (t.next == null) {
      lastTimer = t.previous;
    } else {
      t.next.previous = t.previous;
    }
    t.previous = null;
    t.next = null;
  }

  private void tick() {
    if (!ticking) {
      ticking = true;
      loop.schedule(this, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  Deadlines(EventLoop loop) {
    this.loop = loop;
  }

  void watch(Exchange exchange) {
    exchange.previous = last;
    exchange.next = null;
    if (last == null) {
      first = exchange;
    } else {
      last.next = exchange;
    }
    last = exchange;
    tick();
  }

  /** Stops watching; harmless for an exchange that is not watched. */
  void forget(Exchange exchange) {
    if (exchange.previous == null && first != exchange) {
      return;
    }
    if (exchange.previous == null) {
      first = exchange.next;
    } else {
      exchange.previous.next = exchange.next;
    }
    if (exchange.next == null) {
      last = exchange.previous;
    } else {
      exchange.next.previous = exchange.previous;
    }
    exchange.previous = null;
    exchange.next = null;
  }

  @Override
  public void run() {
    long now = System.nanoTime();
    Exchange e = first;
    while (e != null) {
      Exchange following = e.next;
      if (now - e.deadlineNanos >= 0) {
        forget(e);
        e.expire();
      }
      e = following;
    }
    Timer t = firstTimer;
    while (t != null) {
      Timer following = t.next;
      if (now - t.atNanos >= 0) {
        t.done = true;
        unlink(t);
        t.task.run(); // may set timers of its own: they go to the end of the list, for a later tick
      }
      t = following;
    }
    if (first != null || firstTimer != null) {
      lastBusyNanos = now;
    }
    if (first != null || firstTimer != null || now - lastBusyNanos < IDLE_NANOS) {
      loop.schedule(this, TICK_MILLIS, TimeUnit.MILLISECONDS);
    } else {
      ticking = false;
    }
  }

  /** Exchanges in flight on this loop (tests, diagnostics). */
  int watched() {
    int n = 0;
    for (Exchange e = first; e != null; e = e.next) {
      n++;
    }
    return n;
  }
}
