package io.riata.cluster.node;

import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.actor.DeadLetter;
import org.apache.pekko.actor.Dropped;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Counts the messages this node could not deliver: dead letters (no such actor any more, or a
 * bounded mailbox was full) and messages dropped on purpose. Every entity has a bounded mailbox,
 * so this count is how an operator sees back pressure.
 */
public final class DeadLetterCounter {

  private DeadLetterCounter() {}

  public static Behavior<Object> create(LongAdder deadLetters, LongAdder dropped) {
    return Behaviors.setup(ctx -> {
      ctx.getSystem().eventStream().tell(new EventStream.Subscribe<>(DeadLetter.class, ctx.getSelf().narrow()));
      ctx.getSystem().eventStream().tell(new EventStream.Subscribe<>(Dropped.class, ctx.getSelf().narrow()));
      return Behaviors.receiveMessage(msg -> {
        if (msg instanceof DeadLetter) {
          deadLetters.increment();
        } else if (msg instanceof Dropped) {
          dropped.increment();
        }
        return Behaviors.same();
      });
    });
  }
}
