package io.riata.cluster.mailbox;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;

/**
 * The {@link MeteredMailbox} queues of this actor system's live actors, by actor path. Only this
 * node's actors: an entity hosted on another node is measured by that node's meters.
 */
public final class MailboxMeters implements Extension {

  private static final AbstractExtensionId<MailboxMeters> ID = new AbstractExtensionId<>() {
    @Override
    public MailboxMeters createExtension(ExtendedActorSystem system) {
      return new MailboxMeters();
    }
  };

  private final ConcurrentHashMap<String, MeteredMailbox.MeteredQueue> queues = new ConcurrentHashMap<>();

  public static MailboxMeters get(ActorSystem system) {
    return ID.get(system);
  }

  public static MailboxMeters get(org.apache.pekko.actor.typed.ActorSystem<?> system) {
    return ID.get(system.classicSystem());
  }

  void register(MeteredMailbox.MeteredQueue queue) {
    queues.put(queue.path(), queue);
  }

  void unregister(MeteredMailbox.MeteredQueue queue) {
    queues.remove(queue.path(), queue);
  }

  /** The queues of the actors running now, in no particular order. */
  public List<MeteredMailbox.MeteredQueue> queues() {
    return List.copyOf(queues.values());
  }
}
