package io.riata.http.data.subs;

import io.riata.core.jsonrpc.LogFilter;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The logs feeds of one chain on one node, one {@link LogsFeed} per distinct filter: started for
 * the first client that asks for those logs, stopped when the last one leaves. Every subscribe and
 * unsubscribe passes through here, so a feed is never stopped while a client is joining it. Each
 * feed holds a WebSocket to a provider, so there are at most {@code maxFeeds}: a client asking for
 * yet another filter is refused, while those asking for a filter in use still join its feed.
 */
final class LogsFeeds extends AbstractBehavior<LogsFeeds.Command> {

  sealed interface Command {}

  /** {@code replyTo} hears, from this actor, whether the subscription was taken, before any notification is sent. */
  record Subscribe(LogFilter filter, String subscriptionId, ClientSink sink, Consumer<Boolean> replyTo)
      implements Command {}

  record Unsubscribe(String subscriptionId) implements Command {}

  /** {@code refused} counts the subscriptions refused because {@code maxFeeds} filters had feeds. */
  static Behavior<Command> create(FeedProviders providers, ActorRef<HeadsFeed.Command> heads, int maxFeeds,
                                  LongAdder refused) {
    return Behaviors.setup(ctx -> new LogsFeeds(ctx, providers, heads, maxFeeds, refused));
  }

  private record Feed(ActorRef<LogsFeed.Command> ref, int[] clients) {}

  private final FeedProviders providers;
  private final ActorRef<HeadsFeed.Command> heads;
  private final Map<LogFilter, Feed> feeds = new HashMap<>();
  private final Map<String, LogFilter> filterOf = new HashMap<>();
  private final int maxFeeds;
  private final LongAdder refused;
  private long started;

  private LogsFeeds(ActorContext<Command> ctx, FeedProviders providers, ActorRef<HeadsFeed.Command> heads,
                    int maxFeeds, LongAdder refused) {
    super(ctx);
    this.providers = providers;
    this.heads = heads;
    this.maxFeeds = maxFeeds;
    this.refused = refused;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Subscribe.class, this::onSubscribe)
        .onMessage(Unsubscribe.class, this::onUnsubscribe)
        .build();
  }

  private Behavior<Command> onSubscribe(Subscribe msg) {
    Feed feed = feeds.get(msg.filter());
    if (feed == null) {
      if (feeds.size() >= maxFeeds) {
        refused.increment();
        msg.replyTo().accept(false);
        return this;
      }
      feed = new Feed(getContext().spawn(LogsFeed.create(providers, heads, msg.filter()), "logs-" + (++started)),
          new int[1]);
      feeds.put(msg.filter(), feed);
    }
    feed.clients()[0]++;
    filterOf.put(msg.subscriptionId(), msg.filter());
    msg.replyTo().accept(true); // first: the answer goes to the client's loop before any notification can
    feed.ref().tell(new LogsFeed.Subscribe(msg.subscriptionId(), msg.sink()));
    return this;
  }

  private Behavior<Command> onUnsubscribe(Unsubscribe msg) {
    LogFilter filter = filterOf.remove(msg.subscriptionId());
    Feed feed = filter == null ? null : feeds.get(filter);
    if (feed == null) {
      return this;
    }
    feed.ref().tell(new LogsFeed.Unsubscribe(msg.subscriptionId()));
    if (--feed.clients()[0] == 0) {
      feeds.remove(filter);
      getContext().stop(feed.ref());
    }
    return this;
  }
}
