package io.riata.http.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;

/**
 * WebSocket endpoints for simulated providers, so that subscriptions can be tried on the demo:
 * {@code eth_subscribe("newHeads")} pushes each new block of the provider's chain as it appears
 * (the same blocks, hashes and parents its HTTP side answers), {@code eth_subscribe("logs")} is
 * accepted and stays silent (the simulated chain has no transactions). One small actor system
 * serves all of them, on loopback ports of their own.
 */
public final class SimulatedSockets implements AutoCloseable {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Duration POLL = Duration.ofMillis(100);

  private final ActorSystem system;
  private final Map<String, ServerBinding> bindings = new HashMap<>();

  public SimulatedSockets() {
    this.system = ActorSystem.create("riata-sim-sockets", ConfigFactory.parseString(
            "pekko.actor.provider = local\npekko.loglevel = WARNING\npekko.stdout-loglevel = WARNING")
        .withFallback(ConfigFactory.defaultReference()));
  }

  /** Opens a WebSocket for {@code provider} on an ephemeral loopback port and returns its URL. */
  public URI open(SimulatedProvider provider) throws Exception {
    Route route = new Route(provider);
    ServerBinding binding = Http.get(system).newServerAt("127.0.0.1", 0)
        .bind(route.handleWebSocketMessages(route.socket()))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    bindings.put(provider.name(), binding);
    return URI.create("ws://127.0.0.1:" + binding.localAddress().getPort() + "/");
  }

  /** Connections open to {@code provider}'s WebSocket endpoint now, not closed by their client (Linux only). */
  public int openConnections(SimulatedProvider provider) {
    return OpenConnections.at(bindings.get(provider.name()).localAddress().getPort());
  }

  private final class Route extends AllDirectives {
    private final SimulatedProvider provider;

    Route(SimulatedProvider provider) {
      this.provider = provider;
    }

    /** One client socket: answers subscribe and unsubscribe, then pushes heads while subscribed. */
    Flow<Message, Message, ?> socket() {
      AtomicLong next = new AtomicLong(-1); // the next block to push; -1 while not subscribed to newHeads
      Source<Message, ?> heads = Source.tick(POLL, POLL, "tick").mapConcat(tick -> {
        List<Message> out = new ArrayList<>();
        long from = next.get();
        if (from < 0 || !provider.alive()) {
          return out;
        }
        long head = provider.head();
        for (long n = from; n <= head; n++) {
          out.add(TextMessage.create("{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":"
              + "{\"subscription\":\"0x1feed\",\"result\":" + provider.headerJson(n) + "}}"));
        }
        next.compareAndSet(from, Math.max(from, head + 1));
        return out;
      });
      Materializer materializer = Materializer.matFromSystem(system);
      Flow<Message, Message, ?> replies = Flow.<Message>create()
          .mapAsync(1, m -> m.asTextMessage().toStrict(5000, materializer))
          .map(m -> (Message) TextMessage.create(reply(m.getStrictText(), next)));
      return replies.merge(heads, true);
    }

    private String reply(String text, AtomicLong next) {
      JsonNode request;
      try {
        request = MAPPER.readTree(text);
      } catch (Exception e) {
        return "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"parse error\"}}";
      }
      String id = request.path("id").toString();
      switch (request.path("method").asText()) {
        case "eth_subscribe": {
          String kind = request.path("params").path(0).asText();
          if (kind.equals("newHeads")) {
            next.compareAndSet(-1, provider.head() + 1);
            return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":\"0x1feed\"}";
          }
          if (kind.equals("logs")) {
            return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":\"0x2feed\"}";
          }
          return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"error\":{\"code\":-32602,\"message\":\"no such subscription\"}}";
        }
        case "eth_unsubscribe":
          next.set(-1);
          return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":true}";
        default:
          return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"error\":{\"code\":-32601,\"message\":\"this socket only serves subscriptions\"}}";
      }
    }
  }

  @Override
  public void close() {
    for (ServerBinding binding : bindings.values()) {
      binding.unbind();
    }
    system.terminate();
  }
}
