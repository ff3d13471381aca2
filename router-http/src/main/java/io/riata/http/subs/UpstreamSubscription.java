package io.riata.http.subs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.riata.core.config.ProviderConfig;
import io.riata.http.util.Stages;
import java.io.IOException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.model.ws.WebSocketRequest;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgradeResponse;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * One {@code eth_subscribe} over a WebSocket to one provider. The provider's answer to the
 * subscribe request goes to {@code onSubscribed} (its subscription id, or {@code null} when it
 * answered with an error); each notification goes to {@code onNotification} as the provider sent it
 * (the notification's {@code result}); the end of the connection, whatever the reason, goes to
 * {@code onClosed}, once.
 */
final class UpstreamSubscription {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** What a feed hears from its upstream subscription. */
  interface Listener {
    void onSubscribed(String upstreamId);

    void onNotification(JsonNode result);

    void onClosed(String reason);
  }

  private final UniqueKillSwitch killSwitch;

  private UpstreamSubscription(UniqueKillSwitch killSwitch) {
    this.killSwitch = killSwitch;
  }

  /** Subscribes with {@code paramsJson}, the {@code eth_subscribe} params array, e.g. {@code ["newHeads"]}. */
  static UpstreamSubscription open(ActorSystem system, Materializer materializer, ProviderConfig provider,
                                   String paramsJson, Listener listener) {
    Sink<Message, CompletionStage<Done>> incoming = Sink.foreach(message -> {
      if (message.isText()) {
        TextMessage text = message.asTextMessage();
        if (text.isStrict()) {
          handle(text.getStrictText(), listener);
        } else {
          text.getStreamedText().runFold("", (a, b) -> a + b, materializer).thenAccept(full -> handle(full, listener));
        }
      }
    });
    String subscribe = "{\"jsonrpc\":\"2.0\",\"id\":\"riata-sub\",\"method\":\"eth_subscribe\",\"params\":" + paramsJson + "}";
    // The subscribe request, then nothing until the kill switch or the provider ends the socket.
    Source<Message, UniqueKillSwitch> outgoing = Source.<Message>single(TextMessage.create(subscribe))
        .concat(Source.maybe())
        .viaMat(KillSwitches.single(), Keep.right());
    Flow<Message, Message, Pair<CompletionStage<Done>, UniqueKillSwitch>> flow =
        Flow.fromSinkAndSourceCoupledMat(incoming, outgoing, Keep.both());
    Pair<CompletionStage<WebSocketUpgradeResponse>, Pair<CompletionStage<Done>, UniqueKillSwitch>> started =
        Http.get(system).singleWebSocketRequest(WebSocketRequest.create(provider.wsUrl().toString()), flow, materializer);
    AtomicBoolean reported = new AtomicBoolean();
    Consumer<String> closedOnce = reason -> {
      if (reported.compareAndSet(false, true)) {
        listener.onClosed(reason);
      }
    };
    Stages.plain(started.first()).whenComplete((upgrade, failure) -> {
      if (failure != null) {
        closedOnce.accept("connection failed: " + failure.getMessage());
      } else if (upgrade.response().status().intValue() != 101) {
        closedOnce.accept("upgrade refused: HTTP " + upgrade.response().status().intValue());
      }
    });
    Stages.plain(started.second().first()).whenComplete((done, failure) ->
        closedOnce.accept(failure == null ? "closed" : "failed: " + failure.getMessage()));
    return new UpstreamSubscription(started.second().second());
  }

  private static void handle(String text, Listener listener) {
    JsonNode node;
    try {
      node = MAPPER.readTree(text);
    } catch (IOException | RuntimeException unreadable) {
      return; // the feed's stall check covers a provider that only sends garbage
    }
    if ("eth_subscription".equals(node.path("method").asText())) {
      JsonNode result = node.path("params").path("result");
      if (result.isObject()) {
        listener.onNotification(result);
      }
    } else if ("riata-sub".equals(node.path("id").asText())) {
      listener.onSubscribed(node.path("result").isTextual() ? node.path("result").asText() : null);
    }
  }

  void close() {
    killSwitch.shutdown();
  }
}
