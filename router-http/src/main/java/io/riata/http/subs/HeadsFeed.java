package io.riata.http.subs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.riata.cluster.node.ChainRuntime;
import io.riata.core.breaker.BreakerPhase;
import io.riata.core.config.ProviderConfig;
import io.riata.core.jsonrpc.JsonRpcCodec;
import io.riata.core.jsonrpc.Parsed;
import io.riata.core.selection.Strategies;
import io.riata.core.selection.StrategyName;
import io.riata.http.rpc.FailoverExecutor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.stream.Materializer;

/**
 * The {@code newHeads} feed of one chain on one node: one upstream subscription, shared by every
 * client subscribed through this node, moved to the next provider when its socket ends or stalls.
 * Heads reach clients in block order, each number once: a head at or below the last delivered
 * number is dropped, and a gap is filled over HTTP ({@code eth_getBlockByNumber}) before newer
 * heads go out. Node-local, not on the request path.
 */
public final class HeadsFeed extends AbstractBehavior<HeadsFeed.Command> {

  /** Where a client's notifications go; {@code false} when the client could not take it (it is then dropped). */
  public interface ClientSink {
    boolean offer(String notification);
  }

  public sealed interface Command {}

  public record Subscribe(String subscriptionId, ClientSink sink) implements Command {}

  public record Unsubscribe(String subscriptionId) implements Command {}

  private record Head(long connection, String providerId, JsonNode header) implements Command {}

  private record Closed(long connection, String providerId, String reason) implements Command {}

  private record Backfilled(long connection, List<JsonNode> headers, String failure) implements Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private static final ObjectMapper MAPPER = new ObjectMapper();
  /** How long a provider whose socket ended is passed over when choosing the next one. */
  private static final Duration REST = Duration.ofSeconds(5);

  public static Behavior<Command> create(ChainRuntime chain, FailoverExecutor executor, Duration stallAfter) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new HeadsFeed(ctx, timers, chain, executor, stallAfter)));
  }

  private final TimerScheduler<Command> timers;
  private final ChainRuntime chain;
  private final FailoverExecutor executor;
  private final Duration stallAfter;
  private final Materializer materializer;
  private final Map<String, ClientSink> subscribers = new LinkedHashMap<>();
  private final Map<String, Long> restingUntil = new HashMap<>();
  private final List<JsonNode> pending = new ArrayList<>();
  private UpstreamHeads upstream;
  private String upstreamProvider;
  private long connection;
  private long lastNumber = -1;
  private long lastHeadNanos;
  private boolean backfilling;
  private long delivered;

  private HeadsFeed(ActorContext<Command> ctx, TimerScheduler<Command> timers, ChainRuntime chain,
                    FailoverExecutor executor, Duration stallAfter) {
    super(ctx);
    this.timers = timers;
    this.chain = chain;
    this.executor = executor;
    this.stallAfter = stallAfter;
    this.materializer = Materializer.matFromSystem(ctx.getSystem());
    timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ofMillis(Math.max(250, stallAfter.toMillis() / 3)));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Subscribe.class, this::onSubscribe)
        .onMessage(Unsubscribe.class, this::onUnsubscribe)
        .onMessage(Head.class, this::onHead)
        .onMessage(Closed.class, this::onClosed)
        .onMessage(Backfilled.class, this::onBackfilled)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .build();
  }

  private Behavior<Command> onSubscribe(Subscribe msg) {
    subscribers.put(msg.subscriptionId(), msg.sink());
    if (upstream == null) {
      connect();
    }
    return this;
  }

  private Behavior<Command> onUnsubscribe(Unsubscribe msg) {
    subscribers.remove(msg.subscriptionId());
    if (subscribers.isEmpty()) {
      disconnect();
      lastNumber = -1; // the next subscriber starts from the head of that moment
      pending.clear();
    }
    return this;
  }

  private Behavior<Command> onHead(Head msg) {
    if (msg.connection() != connection) {
      return this; // from a socket we already left
    }
    lastHeadNanos = System.nanoTime();
    if (backfilling) {
      pending.add(msg.header());
    } else {
      accept(msg.header());
    }
    return this;
  }

  private void accept(JsonNode header) {
    long number = number(header);
    if (number < 0 || number <= lastNumber) {
      return; // unreadable, a duplicate, or behind what clients already have: never go backwards
    }
    if (lastNumber >= 0 && number > lastNumber + 1) {
      backfill(lastNumber + 1, number - 1);
      pending.add(header);
      return;
    }
    deliver(header, number);
  }

  private void deliver(JsonNode header, long number) {
    String result;
    try {
      result = MAPPER.writeValueAsString(header);
    } catch (IOException e) {
      return;
    }
    lastNumber = number;
    delivered++;
    Iterator<Map.Entry<String, ClientSink>> it = subscribers.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, ClientSink> e = it.next();
      String notification = "{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":{\"subscription\":"
          + JsonRpcCodec.quote(e.getKey()) + ",\"result\":" + result + "}}";
      if (!e.getValue().offer(notification)) {
        it.remove(); // too slow: its connection is being closed
      }
    }
    if (subscribers.isEmpty()) {
      disconnect();
      lastNumber = -1;
    }
  }

  private void backfill(long from, long to) {
    backfilling = true;
    long conn = connection;
    getContext().pipeToSelf(fetch(from, to, new ArrayList<>()), (headers, failure) ->
        new Backfilled(conn, failure == null ? headers : List.of(), failure == null ? null : String.valueOf(failure.getMessage())));
  }

  /** Blocks {@code from..to} one after the other over HTTP, with the usual failover. */
  private CompletableFuture<List<JsonNode>> fetch(long from, long to, List<JsonNode> into) {
    if (from > to) {
      return CompletableFuture.completedFuture(into);
    }
    String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getBlockByNumber\",\"params\":[\"0x"
        + Long.toHexString(from) + "\",false]}";
    Parsed.Single single = (Parsed.Single) JsonRpcCodec.parse(body.getBytes(StandardCharsets.UTF_8));
    var request = ((Parsed.Request) single.item()).request();
    return executor.execute(chain, Strategies.create(StrategyName.PRIORITY), p -> true, request)
        .thenCompose(outcome -> {
          try {
            JsonNode block = MAPPER.readTree(outcome.body()).path("result");
            if (!block.isObject()) {
              throw new IllegalStateException("no block " + from + " yet");
            }
            into.add(block);
          } catch (IOException e) {
            throw new IllegalStateException("unreadable block " + from);
          }
          return fetch(from + 1, to, into);
        });
  }

  private Behavior<Command> onBackfilled(Backfilled msg) {
    backfilling = false;
    if (msg.failure() != null) {
      getContext().getLog().warn("chain {}: filling a gap in newHeads failed ({}); heads after it wait for the next try",
          chain.config().name(), msg.failure());
    }
    for (JsonNode header : msg.headers()) {
      long number = number(header);
      if (number == lastNumber + 1) {
        deliver(header, number);
      }
    }
    List<JsonNode> queued = new ArrayList<>(pending);
    pending.clear();
    queued.sort(Comparator.comparingLong(HeadsFeed::number));
    for (JsonNode header : queued) {
      if (backfilling) {
        pending.add(header);
      } else {
        accept(header);
      }
    }
    return this;
  }

  private Behavior<Command> onClosed(Closed msg) {
    if (msg.connection() != connection) {
      return this;
    }
    getContext().getLog().info("chain {}: newHeads from {} ended ({}); moving on",
        chain.config().name(), msg.providerId(), msg.reason());
    restingUntil.put(msg.providerId(), System.nanoTime() + REST.toNanos());
    upstream = null;
    upstreamProvider = null;
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
      String provider = upstreamProvider;
      long conn = connection;
      upstream.close();
      getContext().getSelf().tell(new Closed(conn, provider, "no new head for " + stallAfter.toMillis() + " ms"));
    } else if (pending.size() > 0 && !backfilling) {
      List<JsonNode> queued = new ArrayList<>(pending);
      pending.clear();
      queued.forEach(this::accept); // a backfill that failed earlier: try again
    }
    return this;
  }

  private void connect() {
    long now = System.nanoTime();
    List<ProviderConfig> candidates = new ArrayList<>();
    for (ProviderConfig p : chain.config().providers()) {
      Long resting = restingUntil.get(p.id());
      if (p.wsUrl() != null && chain.breakers().phase(p.id()) != BreakerPhase.OPEN
          && (resting == null || now - resting > 0)) {
        candidates.add(p);
      }
    }
    if (candidates.isEmpty()) {
      return; // the tick tries again
    }
    candidates.sort(Comparator.comparingInt(ProviderConfig::priority));
    ProviderConfig provider = candidates.get(0);
    long conn = ++connection;
    ActorRef<Command> self = getContext().getSelf();
    upstreamProvider = provider.id();
    lastHeadNanos = now;
    upstream = UpstreamHeads.open(Adapter.toClassic(getContext().getSystem()), materializer, provider,
        header -> self.tell(new Head(conn, provider.id(), header)),
        reason -> self.tell(new Closed(conn, provider.id(), reason)));
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
    String hex = header.path("number").asText("");
    if (!hex.startsWith("0x") || hex.length() < 3) {
      return -1;
    }
    try {
      return Long.parseLong(hex.substring(2), 16);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
