package io.riata.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BoundedAdmissionTest {

  @Test
  void neverAdmitsMoreThanItsLimitUnderContention() throws InterruptedException {
    // Eight threads against a limit of two: without the bound, more than two would be inside.
    // Whether any is refused depends on how the threads get scheduled (on a busy machine they may
    // run one after another), so the test checks the bound and the accounting, not that.
    BoundedAdmission admission = new BoundedAdmission(2);
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    AtomicInteger admitted = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(8);
    for (int t = 0; t < 8; t++) {
      new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        for (int i = 0; i < 20_000; i++) {
          if (admission.tryEnter()) {
            admitted.incrementAndGet();
            most.accumulateAndGet(inside.incrementAndGet(), Math::max);
            Thread.onSpinWait();
            inside.decrementAndGet();
            admission.exit();
          }
        }
        done.countDown();
      }).start();
    }
    go.countDown();
    done.await();
    assertTrue(most.get() <= 2, "at most 2 inside at once, saw " + most.get());
    assertEquals(8 * 20_000, admitted.get() + admission.refused(), "every refusal counted, once");
    assertEquals(0, admission.inFlight(), "every place was given back");
  }

  @Test
  void theNextOneIsRefusedAndCountedUntilAPlaceIsGivenBack() {
    BoundedAdmission admission = new BoundedAdmission(3);
    for (int i = 0; i < 3; i++) {
      assertTrue(admission.tryEnter());
    }
    assertFalse(admission.tryEnter(), "the 4th is refused");
    assertEquals(1, admission.refused());
    admission.exit();
    assertTrue(admission.tryEnter(), "a place given back is taken again");
    assertThrows(IllegalArgumentException.class, () -> new BoundedAdmission(0));
  }
}
