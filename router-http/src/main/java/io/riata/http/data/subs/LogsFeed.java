package io.riata.http.data.subs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.riata.core.config.ProviderConfig;
import io.riata.core.jsonrpc.LogFilter;
import io.riata.http.data.upstream.UpstreamSocket;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The {@code logs} feed of one chain and one filter on one node: one upstream subscription with
 * that filter, shared by every client that asked for the same logs through this node.
 *
 * <p>Logs reach clients in chain order, (block number, log index), each once. When the feed moves
 * to another provider (its socket ended, its breaker opened, or the chain's heads feed found it
 * stalled: logs alone cannot show a stall, so the feed keeps the heads feed running), it subscribes
 * there first, then asks that provider over HTTP for the logs from the last delivered block up to
 * its current block ({@code eth_getLogs}), delivers what is new in order, then what the new
 * subscription sent meanwhile. Anything at or before the last delivered log is dropped, so a
 * provider that is behind delivers nothing until it has caught up. A log with
 * {@code removed: true} (a reorg took its block away) is passed on when the client had the log,
 * and lets the replacement logs of that block through.
 */
public final class LogsFeed extends AbstractBehavior<LogsFeed.Command> {

  public sealed interface Command {}

  public record Subscribe(String subscriptionId, ClientSink sink) implements Command {}

  public record Unsubscribe(String subscriptionId) implements Command {}

  private record Subscribed(long connection, String upstreamId) implements Command {}

  private record Notified(long connection, JsonNode log) implements Command {}

  private record Closed(long connection, String providerId, String reason) implements Command {}

  /** The logs that were missed, fetched after a move, up to {@code toBlock}; or why that failed. */
  private record CaughtUp(long connection, List<JsonNode> logs, long toBlock, String failure) implements Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private static final ObjectMapper MAPPER = new ObjectMapper();
  /** Blocks asked for in one eth_getLogs when catching up; providers refuse large ranges. */
  static final int CATCH_UP_RANGE = 1000;
  /** Delivered logs remembered, to recognise a removed one the clients had. */
  private static final int REMEMBERED = 10_000;

  /** Started by {@link LogsFeeds}, which stops it when its last client has left. */
  static Behavior<Command> create(FeedProviders providers, ActorRef<HeadsFeed.Command> heads, LogFilter filter) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new LogsFeed(ctx, timers, providers, heads, filter)));
  }

  private final FeedProviders providers;
  private final ActorRef<HeadsFeed.Command> heads;
  private final LogFilter filter;
  private final String chainName;
  private final String headsKey;
  private final Subscribers subscribers = new Subscribers();
  private final LinkedHashSet<String> recent = new LinkedHashSet<>();
  /** What the current subscription sent before the feed was ready to deliver it. */
  private final List<JsonNode> pending = new ArrayList<>();
  private UpstreamSocket upstream;
  private String upstreamProvider;
  private long connection;
  /** Whether notifications of the current subscription go straight out (false while catching up). */
  private boolean live;
  private boolean catchingUp;
  /** Whether the provider accepted the current subscription (so a failed catch-up can be retried). */
  private boolean confirmed;
  /** The last delivered log: block number and log index; -1 before any. */
  private long lastBlock = -1;
  private long lastIndex = -1;
  /** Every matching log up to this block has been delivered (or came before the first subscriber); -1 unknown. */
  private long coveredTo = -1;

  private LogsFeed(ActorContext<Command> ctx, TimerScheduler<Command> timers, FeedProviders providers,
                   ActorRef<HeadsFeed.Command> heads, LogFilter filter) {
    super(ctx);
    this.providers = providers;
    this.heads = heads;
    this.filter = filter;
    this.chainName = providers.chain().config().name();
    this.headsKey = "logs-feed-" + ctx.getSelf().path().name();
    timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ofMillis(500));
    // Heads keep flowing while this feed lives: the heads feed is what notices a stalled provider.
    heads.tell(new HeadsFeed.Subscribe(headsKey, ClientSink.HOLD));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Subscribe.class, this::onSubscribe)
        .onMessage(Unsubscribe.class, this::onUnsubscribe)
        .onMessage(Subscribed.class, this::onSubscribed)
        .onMessage(Notified.class, this::onNotified)
        .onMessage(Closed.class, this::onClosed)
        .onMessage(CaughtUp.class, this::onCaughtUp)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onSignal(PostStop.class, signal -> onStopped())
        .build();
  }

  private Behavior<Command> onSubscribe(Subscribe msg) {
    subscribers.add(msg.subscriptionId(), msg.sink());
    if (upstream == null) {
      connect();
    }
    return this;
  }

  private Behavior<Command> onUnsubscribe(Unsubscribe msg) {
    subscribers.remove(msg.subscriptionId());
    return this;
  }

  private Behavior<Command> onStopped() {
    if (upstream != null) {
      upstream.close();
    }
    heads.tell(new HeadsFeed.Unsubscribe(headsKey));
    return this;
  }

  private Behavior<Command> onSubscribed(Subscribed msg) {
    if (msg.connection() != connection) {
      return this;
    }
    if (msg.upstreamId() == null) {
      return moveOn(upstreamProvider, "the provider refused the logs subscription");
    }
    confirmed = true;
    catchUp();
    return this;
  }

  /**
   * Asks the provider now subscribed to for its current block, then for the logs from where the
   * clients are up to that block. The first subscription only learns the block: there is nothing
   * before it to catch up on.
   */
  private void catchUp() {
    catchingUp = true;
    long conn = connection;
    String provider = upstreamProvider;
    long from = coveredTo < 0 ? -1 : Math.max(coveredTo + 1, lastBlock);
    CompletableFuture<CaughtUp> done = providers.call(provider, "eth_blockNumber", "[]")
        .thenCompose(number -> {
          long head = Long.decode(number.asText());
          if (from < 0 || from > head) {
            return CompletableFuture.completedFuture(new CaughtUp(conn, List.of(), head, null));
          }
          return fetchLogs(provider, from, head, new ArrayList<>()).thenApply(logs -> new CaughtUp(conn, logs, head, null));
        });
    getContext().pipeToSelf(done, (caught, failure) -> failure == null ? caught
        : new CaughtUp(conn, List.of(), -1, String.valueOf(failure.getMessage())));
  }

  private CompletableFuture<List<JsonNode>> fetchLogs(String provider, long from, long to, List<JsonNode> into) {
    if (from > to) {
      return CompletableFuture.completedFuture(into);
    }
    long end = Math.min(to, from + CATCH_UP_RANGE - 1);
    String filterJson = filter.json();
    String range = "\"fromBlock\":\"0x" + Long.toHexString(from) + "\",\"toBlock\":\"0x" + Long.toHexString(end) + "\"";
    String params = "[" + (filterJson.equals("{}") ? "{" + range + "}" : filterJson.substring(0, filterJson.length() - 1) + "," + range + "}") + "]";
    return providers.call(provider, "eth_getLogs", params).thenCompose(logs -> {
      if (!logs.isArray()) {
        throw new IllegalStateException("eth_getLogs on " + provider + " answered " + logs);
      }
      logs.forEach(into::add);
      return fetchLogs(provider, end + 1, to, into);
    });
  }

  private Behavior<Command> onCaughtUp(CaughtUp msg) {
    if (msg.connection() != connection) {
      return this;
    }
    catchingUp = false;
    if (msg.failure() != null) {
      getContext().getLog().warn("chain {}: catching up on logs {} from {} failed ({}); trying again",
          chainName, filter.json(), upstreamProvider, msg.failure());
      return this; // the tick tries again
    }
    List<JsonNode> logs = new ArrayList<>(msg.logs());
    logs.sort(ORDER);
    logs.forEach(this::offer);
    coveredTo = Math.max(coveredTo, msg.toBlock());
    live = true;
    List<JsonNode> queued = new ArrayList<>(pending);
    pending.clear();
    queued.forEach(this::offer);
    return this;
  }

  private static final Comparator<JsonNode> ORDER =
      Comparator.<JsonNode>comparingLong(l -> Quantity.of(l, "blockNumber")).thenComparingLong(l -> Quantity.of(l, "logIndex"));

  private Behavior<Command> onNotified(Notified msg) {
    if (msg.connection() != connection) {
      return this;
    }
    if (live) {
      offer(msg.log());
    } else {
      pending.add(msg.log());
    }
    return this;
  }

  /** Delivers a log unless clients have it (or something after it) already. */
  private void offer(JsonNode log) {
    long block = Quantity.of(log, "blockNumber");
    long index = Quantity.of(log, "logIndex");
    if (block < 0 || index < 0) {
      return;
    }
    String key = log.path("blockHash").asText("") + "/" + index;
    if (log.path("removed").asBoolean(false)) {
      if (recent.remove(key)) {
        send(log);
        // The block is gone; its replacement's logs are new even at the same numbers.
        if (block < lastBlock || (block == lastBlock && index <= lastIndex)) {
          lastBlock = block;
          lastIndex = index - 1;
        }
      }
      return;
    }
    if (block < lastBlock || (block == lastBlock && index <= lastIndex)) {
      return; // a duplicate, or a provider that is behind
    }
    lastBlock = block;
    lastIndex = index;
    recent.add(key);
    if (recent.size() > REMEMBERED) {
      Iterator<String> oldest = recent.iterator();
      oldest.next();
      oldest.remove();
    }
    send(log);
  }

  private void send(JsonNode log) {
    byte[] result;
    try {
      result = MAPPER.writeValueAsBytes(log);
    } catch (IOException e) {
      return;
    }
    subscribers.publish(result);
  }

  private Behavior<Command> onClosed(Closed msg) {
    if (msg.connection() != connection) {
      return this;
    }
    return moveOn(msg.providerId(), msg.reason());
  }

  private Behavior<Command> moveOn(String providerId, String reason) {
    getContext().getLog().info("chain {}: logs {} from {} ended ({}); moving on", chainName, filter.json(), providerId, reason);
    providers.rest(providerId);
    if (upstream != null) {
      upstream.close();
    }
    upstream = null;
    upstreamProvider = null;
    connection++;
    connect();
    return this;
  }

  private Behavior<Command> onTick() {
    if (upstream == null) {
      connect();
    } else if (!providers.usable(upstreamProvider)) {
      return moveOn(upstreamProvider, "its breaker is open, or the heads feed found it dead or stalled");
    } else if (!live && !catchingUp && confirmed) {
      catchUp(); // a catch-up that failed: again
    }
    return this;
  }

  private void connect() {
    Optional<ProviderConfig> next = providers.next();
    live = false;
    confirmed = false;
    pending.clear();
    if (next.isEmpty()) {
      return; // the tick tries again
    }
    ProviderConfig provider = next.get();
    long conn = ++connection;
    ActorRef<Command> self = getContext().getSelf();
    upstreamProvider = provider.id();
    upstream = providers.subscribe(provider, "[\"logs\"," + filter.json() + "]", new UpstreamSocket.Listener() {
      @Override
      public void onSubscribed(String upstreamId) {
        self.tell(new Subscribed(conn, upstreamId));
      }

      @Override
      public void onNotification(JsonNode log) {
        self.tell(new Notified(conn, log));
      }

      @Override
      public void onClosed(String reason) {
        self.tell(new Closed(conn, provider.id(), reason));
      }
    });
  }
}
