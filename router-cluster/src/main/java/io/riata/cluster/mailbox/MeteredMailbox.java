package io.riata.cluster.mailbox;

import com.typesafe.config.Config;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.DeadLetter;
import org.apache.pekko.dispatch.AbstractBoundedNodeQueue;
import org.apache.pekko.dispatch.BoundedMessageQueueSemantics;
import org.apache.pekko.dispatch.Envelope;
import org.apache.pekko.dispatch.MailboxType;
import org.apache.pekko.dispatch.MessageQueue;
import org.apache.pekko.dispatch.MultipleConsumerSemantics;
import org.apache.pekko.dispatch.ProducesMessageQueue;
import scala.Option;
import scala.concurrent.duration.Duration;

/**
 * A bounded, non-blocking mailbox like Pekko's own ({@code MailboxSelector.bounded}: a full
 * mailbox sends the message to dead letters at once) that also keeps what an operator needs to
 * see back pressure: its depth (read on demand, O(1)), the highest depth reached and the number
 * of messages it refused. Every queue registers itself with the system's {@link MailboxMeters}
 * under its actor's path and leaves when the actor stops.
 *
 * <p>Configured like any mailbox, by a config section holding {@code mailbox-type} (this class)
 * and {@code capacity-setting}: the path of the integer setting that holds the capacity, so the
 * documented {@code riata.cluster.*mailbox-capacity} settings keep their meaning.
 *
 * <p>The cost per message over the plain bounded mailbox is one size read (two volatile reads)
 * and, only when the depth is a new peak, one atomic update.
 */
public final class MeteredMailbox implements MailboxType, ProducesMessageQueue<MeteredMailbox.MeteredQueue> {

  /** Config section of the sharded entities' mailbox. */
  public static final String ENTITY = "riata.cluster.mailboxes.entity";
  /** Config section of the event aggregator singleton's mailbox. */
  public static final String AGGREGATOR = "riata.cluster.mailboxes.aggregator";

  private final int capacity;

  /** The constructor Pekko calls, with the system's settings and this mailbox's config section. */
  public MeteredMailbox(ActorSystem.Settings settings, Config config) {
    this(settings.config().getInt(config.getString("capacity-setting")));
  }

  public MeteredMailbox(int capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("mailbox capacity must be positive, got " + capacity);
    }
    this.capacity = capacity;
  }

  @Override
  public MessageQueue create(Option<ActorRef> owner, Option<ActorSystem> system) {
    ActorRef deadLetters = system.isDefined() ? system.get().deadLetters() : null;
    String path = owner.isDefined() ? owner.get().path().toStringWithoutAddress() : null;
    MailboxMeters meters = system.isDefined() ? MailboxMeters.get(system.get()) : null;
    MeteredQueue queue = new MeteredQueue(capacity, deadLetters, path, meters);
    if (meters != null && path != null) {
      meters.register(queue);
    }
    return queue;
  }

  /** The queue of one actor. Depth, peak and refusals are readable from any thread. */
  public static final class MeteredQueue extends AbstractBoundedNodeQueue<Envelope>
      implements MessageQueue, BoundedMessageQueueSemantics, MultipleConsumerSemantics {

    private final ActorRef deadLetters;
    private final String path;
    private final MailboxMeters meters;
    private final LongAdder overflows = new LongAdder();
    /** Highest depth since the last {@link #takePeak()}. */
    private final AtomicInteger peak = new AtomicInteger();
    /** Highest depth since the actor started. */
    private final AtomicInteger highWater = new AtomicInteger();

    MeteredQueue(int capacity, ActorRef deadLetters, String path, MailboxMeters meters) {
      super(capacity);
      this.deadLetters = deadLetters;
      this.path = path;
      this.meters = meters;
    }

    @Override
    public void enqueue(ActorRef receiver, Envelope handle) {
      if (add(handle)) {
        int depth = size();
        if (depth > peak.get()) {
          peak.accumulateAndGet(depth, Math::max);
          if (depth > highWater.get()) {
            highWater.accumulateAndGet(depth, Math::max);
          }
        }
      } else {
        overflows.increment();
        if (deadLetters != null) {
          deadLetters.tell(new DeadLetter(handle.message(), handle.sender(), receiver), handle.sender());
        }
      }
    }

    @Override
    public Envelope dequeue() {
      return poll();
    }

    @Override
    public int numberOfMessages() {
      return size();
    }

    @Override
    public boolean hasMessages() {
      return !isEmpty();
    }

    @Override
    public void cleanUp(ActorRef owner, MessageQueue deadLettersQueue) {
      if (meters != null) {
        meters.unregister(this);
      }
      Envelope e = poll();
      while (e != null) {
        deadLettersQueue.enqueue(owner, e);
        e = poll();
      }
    }

    @Override
    public Duration pushTimeOut() {
      return Duration.Zero();
    }

    /** The owner's path without address, e.g. {@code /system/sharding/ProviderPool/517/ethereum}. */
    public String path() {
      return path;
    }

    public int depth() {
      return size();
    }

    public long overflows() {
      return overflows.sum();
    }

    public int highWater() {
      return highWater.get();
    }

    /** The highest depth since the previous call, and starts the next period at the current depth. */
    public int takePeak() {
      return Math.max(peak.getAndSet(size()), size());
    }
  }
}
