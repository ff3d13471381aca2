package io.riata.cluster.mailbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.MailboxSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The metered mailbox on a plain actor: bounded like Pekko's, and it shows depth and refusals. */
class MeteredMailboxTest {

  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("metered-mailbox", ConfigFactory.parseString("""
        test.capacity = 50
        test-mailbox {
          mailbox-type = "io.riata.cluster.mailbox.MeteredMailbox"
          capacity-setting = "test.capacity"
        }
        pekko.loglevel = WARNING
        pekko.log-dead-letters = off
        """));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aFloodFillsTheMailboxToCapacityAndCountsWhatItRefused() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch busy = new CountDownLatch(1);
    CountDownLatch handledAll = new CountDownLatch(51);
    ActorRef<Integer> slow = testKit.spawn(Behaviors.receiveMessage(n -> {
      busy.countDown();
      release.await(10, TimeUnit.SECONDS); // stuck on the first message while the flood arrives
      handledAll.countDown();
      return Behaviors.same();
    }), "slow", MailboxSelector.fromConfig("test-mailbox"));
    slow.tell(0);
    assertTrue(busy.await(5, TimeUnit.SECONDS));
    for (int i = 1; i <= 1000; i++) {
      slow.tell(i);
    }
    MeteredMailbox.MeteredQueue queue = MailboxMeters.get(testKit.system()).queues().stream()
        .filter(q -> q.path().endsWith("/slow")).findFirst().orElseThrow();
    assertEquals(50, queue.depth());
    assertEquals(50, queue.highWater());
    assertEquals(950, queue.overflows());
    assertEquals(50, queue.takePeak());

    release.countDown();
    assertTrue(handledAll.await(5, TimeUnit.SECONDS), "the 50 that fitted are handled");
    assertEquals(0, queue.depth());
    assertEquals(50, queue.takePeak(), "the period began at the depth of the previous reading");
    assertEquals(0, queue.takePeak(), "and the next one at the depth of this one");
    assertEquals(50, queue.highWater(), "the high-water mark stays");

    testKit.stop(slow, Duration.ofSeconds(5));
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (MailboxMeters.get(testKit.system()).queues().contains(queue) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertTrue(!MailboxMeters.get(testKit.system()).queues().contains(queue), "a stopped actor's queue leaves");
  }
}
