package io.riata.cluster.node;

import io.riata.cluster.pool.ProviderPool;
import java.time.Duration;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Node-local: every report interval, one message per chain to its pool with this node's
 * cumulative counters. Requests never send messages; this is the only traffic they cause.
 */
public final class ReportBatcher {

  public sealed interface Command {}

  private enum Flush implements Command {
    INSTANCE
  }

  public static Behavior<Command> create(NodeRuntime node, String nodeId, Duration interval) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(Flush.INSTANCE, interval);
                  long[] seq = {0};
                  return Behaviors.receive(Command.class)
                      .onMessageEquals(
                          Flush.INSTANCE,
                          () -> {
                            seq[0]++;
                            for (ChainRuntime chain : node.chains()) {
                              ProviderPool.entityRef(ctx.getSystem(), chain.config().name())
                                  .tell(new ProviderPool.ReportBatch(nodeId, seq[0], chain.samples()));
                            }
                            return Behaviors.same();
                          })
                      .build();
                }));
  }

  private ReportBatcher() {}
}
