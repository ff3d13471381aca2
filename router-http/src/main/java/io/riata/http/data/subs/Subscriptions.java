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
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;

/**
 * This node's subscription feeds: per chain one {@link HeadsFeed} and the {@link LogsFeeds} (one
 * feed per distinct filter), and Riata's subscription ids.
 */
public final class Subscriptions {

  private record ChainFeeds(ActorRef<HeadsFeed.Command> heads, ActorRef<LogsFeeds.Command> logs,
                            FeedProviders providers, LongAdder logsRefused) {}

  private final Map<String, ChainFeeds> feeds = new HashMap<>();

  /**
   * Catch-up calls go through {@code gateway}; the feeds' upstream sockets are opened by
   * {@code client}, at most {@code maxLogsFeeds} logs feeds (distinct filters) per chain.
   */
  public Subscriptions(ActorSystem<?> system, NodeRuntime node, EngineGateway gateway, UpstreamClient client,
                       int maxLogsFeeds) {
    for (ChainRuntime chain : node.chains()) {
      String name = chain.config().name();
      FeedProviders providers = new FeedProviders(chain, gateway, client);
      ActorRef<HeadsFeed.Command> heads = system.systemActorOf(
          HeadsFeed.create(providers, stallAfter(chain.config().blockTime())), "riata-heads-" + name, Props.empty());
      LongAdder refused = new LongAdder();
      ActorRef<LogsFeeds.Command> logs = system.systemActorOf(
          LogsFeeds.create(providers, heads, maxLogsFeeds, refused), "riata-logs-" + name, Props.empty());
      feeds.put(name, new ChainFeeds(heads, logs, providers, refused));
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

  /**
   * Asks for a logs subscription; {@code replyTo} hears whether it was taken (not when the chain
   * has its maximum of logs feeds and the filter is a new one), from another thread, before any
   * notification reaches {@code sink}.
   */
  public void subscribeLogs(String chain, LogFilter filter, String subscriptionId, ClientSink sink,
                            Consumer<Boolean> replyTo) {
    feeds.get(chain).logs().tell(new LogsFeeds.Subscribe(filter, subscriptionId, sink, replyTo));
  }

  /** Subscription sockets of the chain's feeds (its newHeads feed and each logs feed) open towards providers now. */
  public int upstreamSockets(String chain) {
    ChainFeeds chainFeeds = feeds.get(chain);
    return chainFeeds == null ? 0 : chainFeeds.providers().openSockets();
  }

  /** Logs subscriptions refused on the chain since start because it had its maximum of logs feeds. */
  public long logsFeedsRefused(String chain) {
    ChainFeeds chainFeeds = feeds.get(chain);
    return chainFeeds == null ? 0 : chainFeeds.logsRefused().sum();
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
