package io.riata.http.data.subs;

import io.riata.core.jsonrpc.LogFilter;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The logs feeds of one chain on one node, one {@link LogsFeed} per distinct filter: started for
 * the first client that asks for those logs, stopped when the last one leaves. Every subscribe and
 * unsubscribe passes through here, so a feed is never stopped while a client is joining it.
 */
final class LogsFeeds extends AbstractBehavior<LogsFeeds.Command> {

  sealed interface Command {}

  record Subscribe(LogFilter filter, String subscriptionId, ClientSink sink) implements Command {}

  record Unsubscribe(String subscriptionId) implements Command {}

  static Behavior<Command> create(FeedProviders providers, ActorRef<HeadsFeed.Command> heads) {
    return Behaviors.setup(ctx -> new LogsFeeds(ctx, providers, heads));
  }

  private record Feed(ActorRef<LogsFeed.Command> ref, int[] clients) {}

  private final FeedProviders providers;
  private final ActorRef<HeadsFeed.Command> heads;
  private final Map<LogFilter, Feed> feeds = new HashMap<>();
  private final Map<String, LogFilter> filterOf = new HashMap<>();
  private long started;

  private LogsFeeds(ActorContext<Command> ctx, FeedProviders providers, ActorRef<HeadsFeed.Command> heads) {
    super(ctx);
    this.providers = providers;
    this.heads = heads;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Subscribe.class, this::onSubscribe)
        .onMessage(Unsubscribe.class, this::onUnsubscribe)
        .build();
  }

  private Behavior<Command> onSubscribe(Subscribe msg) {
    Feed feed = feeds.computeIfAbsent(msg.filter(), filter ->
        new Feed(getContext().spawn(LogsFeed.create(providers, heads, filter), "logs-" + (++started)), new int[1]));
    feed.clients()[0]++;
    filterOf.put(msg.subscriptionId(), msg.filter());
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
