package io.riata.http.ws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.riata.core.jsonrpc.LogFilter;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;

/**
 * A provider with a WebSocket {@code newHeads} feed, fast: a block every {@code interval}, numbered
 * from a shared start so that several of these agree on the chain (same number, same hash). Answers
 * {@code eth_blockNumber}, {@code eth_getBlockByNumber} and {@code eth_getBlockByHash} over HTTP, pushes heads to every socket
 * that subscribed. {@link #kill()} drops every socket and stops listening; {@link #stall} keeps
 * the sockets open but sends nothing.
 */
final class HeadsSim extends AllDirectives implements AutoCloseable {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final ActorSystem system;
  private final Duration interval;
  private final long epochNanos;
  private final SharedKillSwitch killSwitch;
  private final AtomicBoolean stalled = new AtomicBoolean();
  private final ServerBinding binding;

  /** Bytes of filler in every pushed head ({@code extraData}), to make heads as big as real ones with logs blooms. */
  private final int padding;

  HeadsSim(String name, Duration interval, long epochNanos) throws Exception {
    this(name, interval, epochNanos, 0);
  }

  HeadsSim(String name, Duration interval, long epochNanos, int padding) throws Exception {
    this.padding = padding;
    this.system = ActorSystem.create("heads-sim-" + name,
        com.typesafe.config.ConfigFactory.parseString("pekko.loglevel = WARNING"));
    this.interval = interval;
    this.epochNanos = epochNanos;
    this.killSwitch = KillSwitches.shared("kill-" + name);
    this.binding = Http.get(system).newServerAt("127.0.0.1", 0).bind(route())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  URI httpUrl() {
    return URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + "/");
  }

  URI wsUrl() {
    return URI.create("ws://127.0.0.1:" + binding.localAddress().getPort() + "/");
  }

  long head() {
    return 1000 + (System.nanoTime() - epochNanos) / interval.toNanos();
  }

  void stall(boolean on) {
    stalled.set(on);
  }

  void kill() throws Exception {
    killSwitch.shutdown();
    binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /**
   * A reorg: from block {@code from} on, this provider's chain has other blocks (other hashes), the
   * way a node switches to a competing branch. The next head it pushes is on the new branch.
   */
  void reorgFrom(long from) {
    forks.incrementAndGet();
    forkFrom = from;
  }

  /** How many eth_getLogs calls this provider answered (catch-ups after a failover). */
  final AtomicLong getLogsCalls = new AtomicLong();

  private volatile long forkFrom = Long.MAX_VALUE;
  private final AtomicLong forks = new AtomicLong();

  String header(long n) {
    return "{\"number\":\"0x" + Long.toHexString(n) + "\",\"hash\":\"" + hash(n) + "\",\"parentHash\":\"" + hash(n - 1)
        + "\",\"timestamp\":\"0x" + Long.toHexString(1_700_000_000L + n) + "\"}";
  }

  /** When set, every pushed head carries {@code "sentAt"}: {@code System.nanoTime()} when it was pushed. */
  volatile boolean stampSendTime;

  private String padded(long n) {
    if (padding == 0 && !stampSendTime) {
      return header(n);
    }
    String h = header(n);
    return h.substring(0, h.length() - 1) + (stampSendTime ? ",\"sentAt\":\"" + System.nanoTime() + "\"" : "")
        + (padding == 0 ? "" : ",\"extraData\":\"0x" + "ab".repeat(padding / 2) + "\"") + "}";
  }

  /** The hash of block {@code n} on this provider's current branch: the branch in the high half. */
  String hash(long n) {
    return String.format("0x%032x%032x", n >= forkFrom ? forks.get() : 0, n * 7919L + 17);
  }

  /** The block with this hash, if it is on the current branch (as a node forgets a dropped branch's blocks). */
  /** When set, {@code eth_getBlockByHash} finds nothing, like a node that pruned or lost its blocks. */
  volatile boolean forgetful;

  private String byHash(String hash) {
    if (forgetful || hash.length() != 66) {
      return "null";
    }
    long n = (Long.parseLong(hash.substring(34), 16) - 17) / 7919L;
    return n <= head() && hash(n).equals(hash) ? header(n) : "null";
  }

  private Route route() {
    return concat(
        get(() -> handleWebSocketMessages(socket())),
        post(() -> entity(org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller.entityToString(), body ->
            complete(HttpResponse.create().withEntity(ContentTypes.APPLICATION_JSON, answer(body))))));
  }

  private String answer(String body) {
    try {
      JsonNode request = MAPPER.readTree(body);
      String id = request.path("id").toString();
      long head = head();
      switch (request.path("method").asText()) {
        case "eth_blockNumber":
          return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":\"0x" + Long.toHexString(head) + "\"}";
        case "eth_getBlockByNumber": {
          String tag = request.path("params").path(0).asText();
          long n = tag.startsWith("0x") ? Long.parseLong(tag.substring(2), 16) : head;
          return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + (n <= head ? header(n) : "null") + "}";
        }
        case "eth_getLogs": {
          JsonNode f = request.path("params").path(0);
          long from = Long.decode(f.path("fromBlock").asText());
          long to = Math.min(head, Long.decode(f.path("toBlock").asText()));
          ObjectNode stripped = ((ObjectNode) f.deepCopy());
          stripped.remove("fromBlock");
          stripped.remove("toBlock");
          LogFilter filter = LogFilter.parse(stripped);
          List<String> found = new ArrayList<>();
          for (long n = from; n <= to; n++) {
            found.addAll(logs(n, filter));
          }
          getLogsCalls.incrementAndGet();
          return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":[" + String.join(",", found) + "]}";
        }
        case "eth_getBlockByHash":
          return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + byHash(request.path("params").path(0).asText()) + "}";
        default:
          return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"error\":{\"code\":-32601,\"message\":\"not here\"}}";
      }
    } catch (IOException | RuntimeException | LogFilter.InvalidFilter e) {
      return "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"parse error\"}}";
    }
  }

  /** One socket: answers eth_subscribe, then sends every block (or its matching logs) from the head of that moment on. */
  private Flow<Message, Message, ?> socket() {
    AtomicLong nextToSend = new AtomicLong(-1);
    AtomicReference<LogFilter> logs = new AtomicReference<>();
    Source<Message, ?> heads = Source.tick(Duration.ZERO, Duration.ofMillis(Math.max(5, interval.toMillis() / 2)), "tick")
        .mapConcat(tick -> {
          List<Message> out = new ArrayList<>();
          long next = nextToSend.get();
          if (next < 0 || stalled.get()) {
            return out;
          }
          long head = head();
          for (long n = next; n <= head; n++) {
            if (logs.get() == null) {
              out.add(TextMessage.create("{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":"
                  + "{\"subscription\":\"0xfeed\",\"result\":" + padded(n) + "}}"));
            } else {
              for (String log : logs(n, logs.get())) {
                out.add(TextMessage.create("{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":"
                    + "{\"subscription\":\"0xfeed\",\"result\":" + log + "}}"));
              }
            }
          }
          nextToSend.set(head + 1);
          return out;
        });
    Flow<Message, Message, ?> replies = Flow.<Message>create()
        .mapAsync(1, m -> m.asTextMessage().toStrict(5000, org.apache.pekko.stream.Materializer.matFromSystem(system)))
        .map(m -> {
          JsonNode request = MAPPER.readTree(m.getStrictText());
          if ("eth_subscribe".equals(request.path("method").asText())) {
            if ("logs".equals(request.path("params").path(0).asText())) {
              logs.set(LogFilter.parse(request.path("params").path(1)));
              nextToSend.compareAndSet(-1, head() + 1);
            } else {
              nextToSend.compareAndSet(-1, head());
            }
            return (Message) TextMessage.create("{\"jsonrpc\":\"2.0\",\"id\":" + request.path("id") + ",\"result\":\"0xfeed\"}");
          }
          return (Message) TextMessage.create("{\"jsonrpc\":\"2.0\",\"id\":" + request.path("id")
              + ",\"error\":{\"code\":-32601,\"message\":\"not here\"}}");
        });
    return replies.merge(heads, true).via(killSwitch.flow());
  }

  /** The two contract addresses that emit this chain's logs. */
  static final String[] ADDRESSES = {"0x" + "a1".repeat(20), "0x" + "b2".repeat(20)};
  /** The two event signatures (first topics) of this chain's logs. */
  static final String[] TOPICS = {"0x" + "c3".repeat(32), "0x" + "d4".repeat(32)};

  /** Block {@code n} has {@code n % 3} logs, from alternating addresses and with alternating first topics. */
  List<String> logs(long n, LogFilter filter) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n % 3; i++) {
      String log = "{\"address\":\"" + ADDRESSES[(int) ((n + i) % 2)] + "\",\"topics\":[\"" + TOPICS[i % 2] + "\",\""
          + String.format("0x%064x", n) + "\"],\"data\":\"0x\",\"blockNumber\":\"0x" + Long.toHexString(n)
          + "\",\"blockHash\":\"" + hash(n) + "\",\"transactionHash\":\"" + String.format("0x%064x", n * 10 + i)
          + "\",\"transactionIndex\":\"0x" + Integer.toHexString(i) + "\",\"logIndex\":\"0x" + Integer.toHexString(i)
          + "\",\"removed\":false}";
      try {
        if (filter.matches(MAPPER.readTree(log))) {
          out.add(log);
        }
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    return out;
  }

  @Override
  public void close() {
    try {
      killSwitch.shutdown();
    } finally {
      system.terminate();
    }
  }
}
