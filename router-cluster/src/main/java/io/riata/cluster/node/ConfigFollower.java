package io.riata.cluster.node;

import io.riata.cluster.CborSerializable;
import io.riata.core.config.ChainsConfig;
import io.riata.core.config.ChainsConfigLoader;
import io.riata.core.config.ConfigChanges;
import io.riata.core.config.ConfigException;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWRegister;
import org.apache.pekko.cluster.ddata.LWWRegisterKey;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;

/**
 * Node-local: applies a {@code chains.yml} that an operator reloaded on another node.
 *
 * <p>The node that reloaded writes the file's text to a Distributed Data register (the latest
 * reload wins); every node subscribes to it. Gossip brings it to every node sooner or later,
 * including one that was joining at the time, which a single pub-sub message would miss. The
 * text travels, not the parsed result, so each node substitutes {@code ${ENV}} from its own
 * environment (keys may differ per node) and validates again; a node where the text does not
 * validate, or does not apply live, keeps its configuration and says why in a WARN line.
 *
 * <p>A reload older than this node's start is ignored: the node read its own file at start, and
 * that file is the newer word (an operator who changed files and restarted nodes one by one
 * must not see an old reload win).
 */
public final class ConfigFollower {

  /**
   * A reloaded {@code chains.yml}.
   *
   * @param origin   the node id of the node that read the file; it has applied it already
   * @param atMillis wall-clock time of the reload
   */
  public record ChainsReloaded(String source, String yaml, String origin, long atMillis) implements CborSerializable {
    /** The text may hold keys written into the file: a log of this record shows its size only. */
    @Override
    public String toString() {
      return "ChainsReloaded[source=" + source + ", yaml=" + yaml.length() + " chars, origin=" + origin
          + ", atMillis=" + atMillis + "]";
    }
  }

  public static final Key<LWWRegister<ChainsReloaded>> KEY = LWWRegisterKey.create("riata-chains-reloaded");

  /** How long the node that reloaded waits for a majority to store the text. */
  public static final Duration WRITE_TIMEOUT = Duration.ofSeconds(3);

  private sealed interface Command {}

  private record Changed(Replicator.SubscribeResponse<LWWRegister<ChainsReloaded>> response) implements Command {}

  private ConfigFollower() {}

  public static Behavior<?> create(NodeRuntime node, String nodeId, Map<String, String> env) {
    long startedAtMillis = System.currentTimeMillis();
    return Behaviors.<Command>setup(ctx -> DistributedData.<Command, LWWRegister<ChainsReloaded>>withReplicatorMessageAdapter(
        replicator -> {
          replicator.subscribe(KEY, Changed::new);
          return Behaviors.receive(Command.class)
              .onMessage(Changed.class, msg -> onChanged(ctx, node, nodeId, env, startedAtMillis, msg))
              .build();
        }));
  }

  private static Behavior<Command> onChanged(ActorContext<Command> ctx, NodeRuntime node, String nodeId,
      Map<String, String> env, long startedAtMillis, Changed changed) {
    if (!(changed.response() instanceof Replicator.Changed<LWWRegister<ChainsReloaded>> c)) {
      return Behaviors.same();
    }
    ChainsReloaded msg = c.get(KEY).getValue();
    if (msg.origin().equals(nodeId) || msg.atMillis() < startedAtMillis) {
      return Behaviors.same();
    }
    ChainsConfig next;
    try {
      next = ChainsConfigLoader.parse(msg.source(), msg.yaml(), env);
    } catch (ConfigException e) {
      ctx.getLog().warn("reload from {} not applied here, the file has {} mistake(s) with this node's environment: {}",
          msg.origin(), e.errors().size(), e.getMessage().replace('\n', ';'));
      return Behaviors.same();
    }
    ConfigChanges changes = ConfigChanges.between(node.config(), next);
    if (!changes.appliesLive()) {
      ctx.getLog().warn("reload from {} not applied here, it needs a restart: {}", msg.origin(), changes.restart());
    } else if (!changes.none()) {
      node.apply(next);
      ctx.getLog().info("reload from {} applied: {}", msg.origin(), changes.live());
    }
    return Behaviors.same();
  }

  /** The write the node that reloaded makes: the new text replaces whatever reload came before. */
  public static Replicator.Command store(
      ChainsReloaded reload, org.apache.pekko.cluster.ddata.SelfUniqueAddress self,
      org.apache.pekko.actor.typed.ActorRef<Replicator.UpdateResponse<LWWRegister<ChainsReloaded>>> replyTo) {
    return new Replicator.Update<>(KEY, LWWRegister.create(self, reload), new Replicator.WriteMajority(WRITE_TIMEOUT),
        replyTo, register -> register.withValue(self, reload));
  }
}
