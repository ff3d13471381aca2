package io.riata.http.data.subs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.riata.core.config.ProviderConfig;
import io.riata.core.jsonrpc.JsonRpcCodec;
import io.riata.http.data.upstream.UpstreamSocket;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The {@code newHeads} feed of one chain on one node: one upstream subscription, shared by every
 * client subscribed through this node, moved to the next provider when its socket ends or stalls.
 *
 * <p>What clients see is a chain: each head's parent is the head delivered before it. A head that
 * continues the last one goes out at once. A head that does not (a gap after a failover, or a
 * reorg) is linked first: Riata walks back from it by parent hash over HTTP
 * ({@code eth_getBlockByHash}, on the provider that sent it) until it meets a head it delivered,
 * then delivers the blocks from there on in order. Blocks above that common ancestor that were
 * delivered before are thereby delivered again with their new contents, as an Ethereum node does
 * after a reorg. Heads at or below the last delivered number are dropped (duplicates, and a
 * provider that is behind: the feed never goes backwards on a lagging provider's word; a competing
 * fork is delivered once it is the longer one). Node-local, not on the request path.
 */
public final class HeadsFeed extends AbstractBehavior<HeadsFeed.Command> {

  public sealed interface Command {}

  public record Subscribe(String subscriptionId, ClientSink sink) implements Command {}

  public record Unsubscribe(String subscriptionId) implements Command {}

  private record Head(long connection, String providerId, JsonNode header) implements Command {}

  private record Closed(long connection, String providerId, String reason) implements Command {}

  /** The blocks that link a head to what was delivered, newest first, or why they could not be fetched. */
  private record Linked(long connection, List<JsonNode> newestFirst, boolean reachedDelivered, String failure)
      implements Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private static final ObjectMapper MAPPER = new ObjectMapper();
  /** Delivered heads remembered for linking; a reorg deeper than this is treated as unlinkable. */
  static final int REMEMBERED = 128;
  /** Blocks fetched at most to link one head (a gap after a long outage). */
  static final int MAX_WALK = 1024;
  /** Link attempts that may fail in a row on one provider before the feed moves to the next. */
  static final int MAX_LINK_FAILURES = 3;

  public static Behavior<Command> create(FeedProviders providers, Duration stallAfter) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new HeadsFeed(ctx, timers, providers, stallAfter)));
  }

  private final FeedProviders providers;
  private final String chainName;
  private final Duration stallAfter;
  private final Subscribers subscribers = new Subscribers();
  /** Number to hash of the heads delivered most recently, oldest first. */
  private final TreeMap<Long, String> delivered = new TreeMap<>();
  private final List<Head> pending = new ArrayList<>();
  private UpstreamSocket upstream;
  private String upstreamProvider;
  private long connection;
  private long lastNumber = -1;
  private long lastHeadNanos;
  private boolean linking;
  /** Failed attempts in a row to link a head; at {@link #MAX_LINK_FAILURES} the feed moves on. */
  private int linkFailures;

  private HeadsFeed(ActorContext<Command> ctx, TimerScheduler<Command> timers, FeedProviders providers,
                    Duration stallAfter) {
    super(ctx);
    this.providers = providers;
    this.chainName = providers.chain().config().name();
    this.stallAfter = stallAfter;
    timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ofMillis(250)); // a stall is noticed within 250 ms of its deadline
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Subscribe.class, this::onSubscribe)
        .onMessage(Unsubscribe.class, this::onUnsubscribe)
        .onMessage(Head.class, this::onHead)
        .onMessage(Closed.class, this::onClosed)
        .onMessage(Linked.class, this::onLinked)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
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
    if (subscribers.isEmpty()) {
      stop();
    }
    return this;
  }

  /** Nobody listens: close the upstream and forget; the next subscriber starts from the head of its moment. */
  private void stop() {
    disconnect();
    lastNumber = -1;
    delivered.clear();
    pending.clear();
  }

  private Behavior<Command> onHead(Head msg) {
    if (msg.connection() != connection) {
      return this; // from a socket we already left
    }
    lastHeadNanos = System.nanoTime();
    if (linking) {
      pending.add(msg);
    } else {
      accept(msg);
    }
    return this;
  }

  private void accept(Head head) {
    long number = number(head.header());
    if (number < 0 || (lastNumber >= 0 && number <= lastNumber)) {
      return; // unreadable, a duplicate, or not beyond what clients have
    }
    if (lastNumber < 0 || (number == lastNumber + 1 && continues(head.header(), delivered.get(lastNumber)))) {
      deliver(head.header(), number);
      return;
    }
    link(head);
  }

  /** Whether {@code header}'s parent is {@code hash} (true when either is unknown: nothing to check). */
  private static boolean continues(JsonNode header, String hash) {
    String parent = header.path("parentHash").asText("");
    return parent.isEmpty() || hash == null || hash.isEmpty() || parent.equalsIgnoreCase(hash);
  }

  /** Walks back from {@code head} by parent hash until a delivered head, then delivers from there. */
  private void link(Head head) {
    linking = true;
    long conn = connection;
    TreeMap<Long, String> known = new TreeMap<>(delivered);
    List<JsonNode> newestFirst = new ArrayList<>();
    newestFirst.add(head.header());
    getContext().pipeToSelf(walk(head.providerId(), known, newestFirst), (reached, failure) ->
        new Linked(conn, newestFirst, failure == null && reached,
            failure == null ? null : String.valueOf(failure.getMessage())));
  }

  /** Completes with whether the walk met a delivered head; fetched blocks are appended to {@code into}. */
  private CompletableFuture<Boolean> walk(String providerId, TreeMap<Long, String> known, List<JsonNode> into) {
    JsonNode oldest = into.get(into.size() - 1);
    long parentNumber = number(oldest) - 1;
    String parentHash = oldest.path("parentHash").asText("");
    if (continues(oldest, known.get(parentNumber)) && known.containsKey(parentNumber)) {
      return CompletableFuture.completedFuture(true);
    }
    if (parentHash.isEmpty() || known.isEmpty() || parentNumber < known.firstKey() || into.size() > MAX_WALK) {
      return CompletableFuture.completedFuture(false);
    }
    return providers.call(providerId, "eth_getBlockByHash", "[" + JsonRpcCodec.quote(parentHash) + ",false]")
        .thenCompose(block -> {
          if (!block.isObject() || number(block) != parentNumber) {
            throw new IllegalStateException(providerId + " does not have block " + parentHash + " (yet)");
          }
          into.add(block);
          return walk(providerId, known, into);
        });
  }

  private Behavior<Command> onLinked(Linked msg) {
    linking = false;
    if (msg.connection() != connection) {
      pending.clear();
      return this;
    }
    List<JsonNode> oldestFirst = new ArrayList<>(msg.newestFirst());
    java.util.Collections.reverse(oldestFirst);
    if (msg.failure() != null) {
      Head head = new Head(connection, upstreamProvider, oldestFirst.get(oldestFirst.size() - 1));
      if (++linkFailures >= MAX_LINK_FAILURES) {
        // This provider cannot serve the blocks that link its own heads: try the next one.
        linkFailures = 0;
        endUpstream("could not fetch the blocks linking its heads " + MAX_LINK_FAILURES + " times (" + msg.failure() + ")");
        return this;
      }
      getContext().getLog().warn("chain {}: could not link a new head to the delivered ones ({}); trying again",
          chainName, msg.failure());
      pending.add(0, head);
      return this; // the tick retries
    }
    linkFailures = 0;
    if (msg.reachedDelivered()) {
      for (JsonNode header : oldestFirst) {
        long number = number(header);
        if (!header.path("hash").asText("").equalsIgnoreCase(delivered.getOrDefault(number, ""))) {
          deliver(header, number); // new, or a reorg's replacement of a delivered head
        }
      }
    } else {
      getContext().getLog().warn("chain {}: heads from {} do not link to the last {} delivered (another chain, "
          + "or a reorg deeper than that); continuing from block {}", chainName, upstreamProvider, delivered.size(),
          lastNumber + 1);
      for (JsonNode header : oldestFirst) {
        long number = number(header);
        if (number > lastNumber) {
          deliver(header, number);
        }
      }
    }
    replayPending();
    return this;
  }

  private void replayPending() {
    List<Head> queued = new ArrayList<>(pending);
    pending.clear();
    queued.sort(Comparator.comparingLong(h -> number(h.header())));
    for (Head head : queued) {
      if (linking) {
        pending.add(head);
      } else {
        accept(head);
      }
    }
  }

  private void deliver(JsonNode header, long number) {
    byte[] result;
    try {
      result = MAPPER.writeValueAsBytes(header);
    } catch (IOException e) {
      return;
    }
    lastNumber = number;
    delivered.tailMap(number, true).clear(); // after a reorg, what was above is no longer the chain
    delivered.put(number, header.path("hash").asText(""));
    while (delivered.size() > REMEMBERED) {
      delivered.pollFirstEntry();
    }
    subscribers.publish(result);
    if (subscribers.isEmpty()) {
      stop();
    }
  }

  private Behavior<Command> onClosed(Closed msg) {
    if (msg.connection() != connection) {
      return this;
    }
    getContext().getLog().info("chain {}: newHeads from {} ended ({}); moving on", chainName, msg.providerId(), msg.reason());
    providers.rest(msg.providerId());
    disconnect(); // a socket that is still open (the provider refused the subscription) is closed
    if (!subscribers.isEmpty()) {
      connect();
    }
    return this;
  }

  private Behavior<Command> onTick() {
    if (subscribers.isEmpty()) {
      return this;
    }
    if (upstream == null) {
      connect();
    } else if (System.nanoTime() - lastHeadNanos > stallAfter.toNanos()) {
      endUpstream("no new head for " + stallAfter.toMillis() + " ms");
    } else if (!providers.usable(upstreamProvider)) {
      endUpstream("its breaker is open, or another feed found it dead");
    } else if (!pending.isEmpty() && !linking) {
      replayPending(); // a link that failed earlier: try again
    }
    return this;
  }

  private void endUpstream(String reason) {
    if (upstream == null) {
      return; // already ended; the tick connects again
    }
    String provider = upstreamProvider;
    long conn = connection;
    upstream.close();
    getContext().getSelf().tell(new Closed(conn, provider, reason));
  }

  private void connect() {
    Optional<ProviderConfig> next = providers.next();
    if (next.isEmpty()) {
      return; // the tick tries again
    }
    ProviderConfig provider = next.get();
    long conn = ++connection;
    ActorRef<Command> self = getContext().getSelf();
    upstreamProvider = provider.id();
    lastHeadNanos = System.nanoTime();
    upstream = providers.subscribe(provider, "[\"newHeads\"]", new UpstreamSocket.Listener() {
      @Override
      public void onSubscribed(String upstreamId) {
        if (upstreamId == null) {
          onClosed("the provider refused the subscription");
        }
      }

      @Override
      public void onNotification(JsonNode header) {
        self.tell(new Head(conn, provider.id(), header));
      }

      @Override
      public void onClosed(String reason) {
        self.tell(new Closed(conn, provider.id(), reason));
      }
    });
  }

  private void disconnect() {
    if (upstream != null) {
      connection++; // whatever the old socket still says is ignored
      upstream.close();
      upstream = null;
      upstreamProvider = null;
    }
  }

  static long number(JsonNode header) {
    return Quantity.of(header, "number");
  }
}
