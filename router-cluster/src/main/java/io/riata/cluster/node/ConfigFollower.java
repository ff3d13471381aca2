package io.riata.cluster.node;

import io.riata.cluster.CborSerializable;
import io.riata.core.config.ChainsConfig;
import io.riata.core.config.ChainsConfigLoader;
import io.riata.core.config.ConfigChanges;
import io.riata.core.config.ConfigException;
import java.util.Map;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * Node-local: applies a {@code chains.yml} that an operator reloaded on another node. The text
 * travels, not the parsed result, so each node substitutes {@code ${ENV}} from its own
 * environment (keys may differ per node) and validates again; a node where the text does not
 * validate, or does not apply live, keeps its configuration and says why in a WARN line.
 */
public final class ConfigFollower {

  /** Topic every node subscribes to; the admin API of the node that reloaded publishes on it. */
  public static final String TOPIC = "riata-config";

  /**
   * A reloaded {@code chains.yml}.
   *
   * @param origin the node id of the node that read the file; it has applied it already
   */
  public record ChainsReloaded(String source, String yaml, String origin) implements CborSerializable {}

  private ConfigFollower() {}

  public static Behavior<ChainsReloaded> create(NodeRuntime node, String nodeId, Map<String, String> env) {
    return Behaviors.setup(ctx -> {
      ctx.spawn(Topic.create(ChainsReloaded.class, TOPIC), "topic").tell(Topic.subscribe(ctx.getSelf()));
      return Behaviors.receiveMessage(msg -> onReloaded(ctx, node, nodeId, env, msg));
    });
  }

  private static Behavior<ChainsReloaded> onReloaded(
      ActorContext<ChainsReloaded> ctx, NodeRuntime node, String nodeId, Map<String, String> env, ChainsReloaded msg) {
    if (msg.origin().equals(nodeId)) {
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
}
