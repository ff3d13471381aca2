package io.riata.http.subs;

import io.riata.cluster.node.ChainRuntime;
import io.riata.cluster.node.NodeRuntime;
import io.riata.http.rpc.FailoverExecutor;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;

/** This node's subscription feeds, one {@link HeadsFeed} per chain, and Riata's subscription ids. */
public final class Subscriptions {

  private final Map<String, ActorRef<HeadsFeed.Command>> heads = new HashMap<>();

  public Subscriptions(ActorSystem<?> system, NodeRuntime node, FailoverExecutor executor) {
    for (ChainRuntime chain : node.chains()) {
      String name = chain.config().name();
      FeedProviders providers = new FeedProviders(chain, executor);
      heads.put(name, system.systemActorOf(HeadsFeed.create(providers, stallAfter(chain.config().blockTime())),
          "riata-heads-" + name, Props.empty()));
    }
  }

  /** A provider that sent no head for three block times (at least 3 s) is stalled. */
  static Duration stallAfter(Duration blockTime) {
    Duration three = blockTime.multipliedBy(3);
    return three.compareTo(Duration.ofSeconds(3)) < 0 ? Duration.ofSeconds(3) : three;
  }

  public ActorRef<HeadsFeed.Command> heads(String chain) {
    return heads.get(chain);
  }

  /** A new subscription id: 16 random bytes as 0x-prefixed hex, like an Ethereum node's. */
  public static String newId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return String.format("0x%016x%016x", r.nextLong(), r.nextLong());
  }
}
