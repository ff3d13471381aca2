package io.riata.http.data.upstream;

import io.netty.channel.EventLoop;
import java.util.concurrent.TimeUnit;

/**
 * The attempt timeouts of one event loop. Rather than a timer per attempt (a task queued and
 * cancelled per request, and the loop's wake-up time moved each time), the exchanges in flight
 * sit in a list and one check every {@value #TICK_MILLIS} ms fails those whose time is up, so a
 * timeout fires at most that much late. The check stops a second after the last exchange ended
 * and starts again with the next. Used on its event loop only.
 */
final class Deadlines implements Runnable {

  static final long TICK_MILLIS = 5;
  private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final EventLoop loop;
  private Exchange first;
  private Exchange last;
  private boolean ticking;
  private long lastBusyNanos;

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
    if (!ticking) {
      ticking = true;
      loop.schedule(this, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }
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
    if (first != null) {
      lastBusyNanos = now;
    }
    if (first != null || now - lastBusyNanos < IDLE_NANOS) {
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
