package io.riata.cluster.aggregate;

import io.riata.cluster.node.ChainRuntime;
import io.riata.cluster.node.NodeRuntime;
import io.riata.core.rollup.ChainRollup;
import io.riata.core.rollup.NodeRollup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Node-local: every interval, drains every chain's rollup recorder and sends the result to the
 * {@link EventAggregator} as one message, whatever the traffic. If the singleton is moving, its
 * proxy buffers the message until the new one runs.
 */
public final class RollupReporter {

  public sealed interface Command {}

  private enum Flush implements Command {
    INSTANCE
  }

  public static Behavior<Command> create(NodeRuntime node, String nodeId, Duration interval,
                                         ActorRef<EventAggregator.Command> aggregator) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Flush.INSTANCE, interval);
      long[] seq = {0};
      long[] from = {System.currentTimeMillis()};
      return Behaviors.receive(Command.class)
          .onMessageEquals(Flush.INSTANCE, () -> {
            List<ChainRollup> chains = new ArrayList<>();
            for (ChainRuntime chain : node.chains()) {
              chains.add(chain.drainRollup());
            }
            long to = System.currentTimeMillis();
            NodeRollup rollup = new NodeRollup(nodeId, ++seq[0], from[0], to, chains);
            aggregator.tell(new EventAggregator.SubmitRollup(rollup));
            node.rolledUp(rollup);
            from[0] = to;
            return Behaviors.same();
          })
          .build();
    }));
  }

  private RollupReporter() {}
}
