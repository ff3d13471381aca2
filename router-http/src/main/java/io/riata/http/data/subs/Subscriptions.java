package io.riata.http.data.subs;

import io.riata.cluster.node.ChainRuntime;
import io.riata.cluster.node.NodeRuntime;
import io.riata.core.jsonrpc.LogFilter;
import io.riata.http.data.EngineGateway;
import io.riata.http.data.upstream.UpstreamClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;

/**
 * This node's subscription feeds: per chain one {@link HeadsFeed} and the {@link LogsFeeds} (one
 * feed per distinct filter), and Riata's subscription ids.
 */
public final class Subscriptions {

  private record ChainFeeds(ActorRef<HeadsFeed.Command> heads, ActorRef<LogsFeeds.Command> logs) {}

  private final Map<String, ChainFeeds> feeds = new HashMap<>();

  /** Catch-up calls go through {@code gateway}; the feeds' upstream sockets are opened by {@code client}. */
  public Subscriptions(ActorSystem<?> system, NodeRuntime node, EngineGateway gateway, UpstreamClient client) {
    for (ChainRuntime chain : node.chains()) {
      String name = chain.config().name();
      FeedProviders providers = new FeedProviders(chain, gateway, client);
      ActorRef<HeadsFeed.Command> heads = system.systemActorOf(
          HeadsFeed.create(providers, stallAfter(chain.config().blockTime())), "riata-heads-" + name, Props.empty());
      ActorRef<LogsFeeds.Command> logs = system.systemActorOf(
          LogsFeeds.create(providers, heads), "riata-logs-" + name, Props.empty());
      feeds.put(name, new ChainFeeds(heads, logs));
    }
  }

  /** A provider that sent no head for three block times (at least 3 s) is stalled. */
  static Duration stallAfter(Duration blockTime) {
    Duration three = blockTime.multipliedBy(3);
    return three.compareTo(Duration.ofSeconds(3)) < 0 ? Duration.ofSeconds(3) : three;
  }

  public void subscribeHeads(String chain, String subscriptionId, ClientSink sink) {
    feeds.get(chain).heads().tell(new HeadsFeed.Subscribe(subscriptionId, sink));
  }

  public void subscribeLogs(String chain, LogFilter filter, String subscriptionId, ClientSink sink) {
    feeds.get(chain).logs().tell(new LogsFeeds.Subscribe(filter, subscriptionId, sink));
  }

  /** Ends a subscription of either kind (the feeds that do not have it ignore it). */
  public void unsubscribe(String chain, String subscriptionId) {
    ChainFeeds chainFeeds = feeds.get(chain);
    chainFeeds.heads().tell(new HeadsFeed.Unsubscribe(subscriptionId));
    chainFeeds.logs().tell(new LogsFeeds.Unsubscribe(subscriptionId));
  }

  /** A new subscription id: 16 random bytes as 0x-prefixed hex, like an Ethereum node's. */
  public static String newId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return String.format("0x%016x%016x", r.nextLong(), r.nextLong());
  }
}
