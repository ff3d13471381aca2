package io.riata.cluster.dashboard;

import io.riata.cluster.aggregate.EventAggregator;
import io.riata.core.rollup.ClusterRollup;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * Node-local: subscribes to the aggregator's topic and hands every cluster rollup to this node's
 * dashboard fan-out (the WebSocket subscribers, in router-http). When the aggregator moves, no
 * rollup arrives for a while; subscribers keep the last one and the feed resumes by itself.
 */
public final class DashboardHub {

  public sealed interface Command {}

  private record Received(EventAggregator.RollupPublished published) implements Command {}

  /** @param fanOut called on the hub's thread, once per rollup, in arrival order; must not block */
  public static Behavior<Command> create(Consumer<ClusterRollup> fanOut) {
    return Behaviors.setup(ctx -> {
      ActorRef<Topic.Command<EventAggregator.RollupPublished>> topic =
          ctx.spawn(Topic.create(EventAggregator.RollupPublished.class, EventAggregator.TOPIC), "topic");
      topic.tell(Topic.subscribe(ctx.messageAdapter(EventAggregator.RollupPublished.class, Received::new)));
      return Behaviors.receive(Command.class)
          .onMessage(Received.class, msg -> {
            fanOut.accept(msg.published().rollup());
            return Behaviors.same();
          })
          .build();
    });
  }

  private DashboardHub() {}
}
