package io.riata.http.data.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.riata.core.engine.Cancellable;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The engine's timers on a real event loop: they run once, in time order, and a cancelled one never. */
class DeadlinesTest {
  private static final long MS = 1_000_000L;
  private final EventLoop loop = new DefaultEventLoop();
  private final Deadlines deadlines = new Deadlines(loop);

  @AfterEach
  void stop() {
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  @Test
  void timersRunOnceWhenDueAndACancelledOneNever() throws Exception {
    List<String> ran = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(3);
    long start = System.nanoTime();
    long[] at = new long[3];
    loop.execute(() -> {
      deadlines.schedule(60 * MS, () -> {
        ran.add("60");
        at[2] = System.nanoTime() - start;
        done.countDown();
      });
      Cancellable cancelled = deadlines.schedule(30 * MS, () -> ran.add("cancelled"));
      deadlines.schedule(10 * MS, () -> {
        ran.add("10");
        at[0] = System.nanoTime() - start;
        // A timer set by a timer that runs: it goes on the list for a later tick.
        deadlines.schedule(20 * MS, () -> {
          ran.add("10+20");
          at[1] = System.nanoTime() - start;
          done.countDown();
        });
        done.countDown();
      });
      cancelled.cancel();
      cancelled.cancel(); // harmless twice
    });
    assertTrue(done.await(5, TimeUnit.SECONDS), "ran: " + ran);
    Thread.sleep(50);
    assertEquals(List.of("10", "10+20", "60"), ran);
    assertTrue(at[0] >= 10 * MS && at[1] >= 30 * MS && at[2] >= 60 * MS, "never early: " + java.util.Arrays.toString(at));
  }

  @Test
  void aTimerCancelledAfterItRanChangesNothing() throws Exception {
    CountDownLatch ran = new CountDownLatch(1);
    Cancellable[] timer = new Cancellable[1];
    loop.execute(() -> timer[0] = deadlines.schedule(0, ran::countDown));
    assertTrue(ran.await(5, TimeUnit.SECONDS));
    CountDownLatch after = new CountDownLatch(1);
    loop.execute(() -> {
      timer[0].cancel();
      deadlines.schedule(5 * MS, after::countDown); // the list is still sound
    });
    assertTrue(after.await(5, TimeUnit.SECONDS));
  }
}
