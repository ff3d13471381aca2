package io.riata.cluster.node;

import io.riata.cluster.pool.ProviderPool;
import io.riata.core.selection.ChainSnapshot;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * Node-local: subscribes to every chain's snapshot topic and swaps each new snapshot into the
 * chain's runtime. Until a chain has its first snapshot it asks the pool directly (which also
 * starts the pool entity), so a node that joins or restarts does not wait for the next change.
 */
public final class SnapshotSubscriber {

  public sealed interface Command {}

  private record Received(ChainSnapshot snapshot) implements Command {}

  private enum AskMissing implements Command {
    INSTANCE
  }

  public static Behavior<Command> create(NodeRuntime node, Duration askInterval) {
    return Behaviors.setup(
        ctx -> {
          ActorRef<ChainSnapshot> adapter = ctx.messageAdapter(ChainSnapshot.class, Received::new);
          for (ChainRuntime chain : node.chains()) {
            String name = chain.config().name();
            ActorRef<Topic.Command<ChainSnapshot>> topic =
                ctx.spawn(Topic.create(ChainSnapshot.class, ProviderPool.snapshotTopic(name)), "topic-" + name);
            topic.tell(Topic.subscribe(adapter));
          }
          return Behaviors.withTimers(
              timers -> {
                timers.startTimerWithFixedDelay(AskMissing.INSTANCE, Duration.ZERO, askInterval);
                return Behaviors.receive(Command.class)
                    .onMessage(Received.class, msg -> onReceived(node, msg))
                    .onMessageEquals(AskMissing.INSTANCE, () -> onAskMissing(ctx, node, adapter))
                    .build();
              });
        });
  }

  private static Behavior<Command> onReceived(NodeRuntime node, Received msg) {
    node.chain(msg.snapshot().chain()).ifPresent(c -> c.acceptSnapshot(msg.snapshot()));
    return Behaviors.same();
  }

  private static Behavior<Command> onAskMissing(
      ActorContext<Command> ctx, NodeRuntime node, ActorRef<ChainSnapshot> adapter) {
    for (ChainRuntime chain : node.chains()) {
      if (!chain.hasPoolSnapshot()) {
        ProviderPool.entityRef(ctx.getSystem(), chain.config().name())
            .tell(new ProviderPool.GetSnapshot(adapter));
      }
    }
    return Behaviors.same();
  }

  private SnapshotSubscriber() {}
}
