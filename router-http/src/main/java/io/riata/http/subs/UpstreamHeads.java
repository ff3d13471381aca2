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
 * One {@code eth_subscribe("newHeads")} over a WebSocket to one provider. Each head goes to
 * {@code onHead} as the provider sent it (the notification's {@code result}); the end of the
 * connection, whatever the reason, goes to {@code onClosed}, once.
 */
final class UpstreamHeads {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String SUBSCRIBE =
      "{\"jsonrpc\":\"2.0\",\"id\":\"riata-heads\",\"method\":\"eth_subscribe\",\"params\":[\"newHeads\"]}";

  private final UniqueKillSwitch killSwitch;

  private UpstreamHeads(UniqueKillSwitch killSwitch) {
    this.killSwitch = killSwitch;
  }

  static UpstreamHeads open(ActorSystem system, Materializer materializer, ProviderConfig provider,
                            Consumer<JsonNode> onHead, Consumer<String> onClosed) {
    Sink<Message, CompletionStage<Done>> incoming = Sink.foreach(message -> {
      if (message.isText()) {
        TextMessage text = message.asTextMessage();
        if (text.isStrict()) {
          handle(text.getStrictText(), onHead);
        } else {
          text.getStreamedText().runFold("", (a, b) -> a + b, materializer).thenAccept(full -> handle(full, onHead));
        }
      }
    });
    // The subscribe request, then nothing until the kill switch or the provider ends the socket.
    Source<Message, UniqueKillSwitch> outgoing = Source.<Message>single(TextMessage.create(SUBSCRIBE))
        .concat(Source.maybe())
        .viaMat(KillSwitches.single(), Keep.right());
    Flow<Message, Message, Pair<CompletionStage<Done>, UniqueKillSwitch>> flow =
        Flow.fromSinkAndSourceCoupledMat(incoming, outgoing, Keep.both());
    Pair<CompletionStage<WebSocketUpgradeResponse>, Pair<CompletionStage<Done>, UniqueKillSwitch>> started =
        Http.get(system).singleWebSocketRequest(WebSocketRequest.create(provider.wsUrl().toString()), flow, materializer);
    AtomicBoolean reported = new AtomicBoolean();
    Consumer<String> closedOnce = reason -> {
      if (reported.compareAndSet(false, true)) {
        onClosed.accept(reason);
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
    return new UpstreamHeads(started.second().second());
  }

  private static void handle(String text, Consumer<JsonNode> onHead) {
    try {
      JsonNode node = MAPPER.readTree(text);
      JsonNode result = node.path("params").path("result");
      if ("eth_subscription".equals(node.path("method").asText()) && result.isObject()) {
        onHead.accept(result);
      }
    } catch (IOException | RuntimeException notANotification) {
      // The subscribe confirmation or something unknown; the feed's stall check covers silence.
    }
  }

  void close() {
    killSwitch.shutdown();
  }
}
