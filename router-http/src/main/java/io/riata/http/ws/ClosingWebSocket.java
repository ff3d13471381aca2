package io.riata.http.ws;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.NotUsed;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.impl.engine.ws.FrameEvent;
import org.apache.pekko.http.impl.engine.ws.FrameEvent$;
import org.apache.pekko.http.impl.engine.ws.Protocol;
import org.apache.pekko.http.impl.engine.ws.UpgradeToWebSocketLowLevel;
import org.apache.pekko.http.impl.engine.ws.WebSocket$;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.http.scaladsl.settings.WebSocketSettings;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Graph;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import scala.Option;

/**
 * Serves a WebSocket that Riata can end with a close code of its choosing: 1008 for a client too
 * slow to read its notifications, 1009 for a message over the size limit, 1001 for a client from
 * which nothing arrived for the idle timeout.
 *
 * <p>Pekko HTTP's public API ends a connection with 1000 when the handler completes and 1011 when
 * it fails, nothing else. So this builds the same protocol stack Pekko puts under
 * {@code handleMessages} (masking, frame handling, keep-alive pings, message assembly) through its
 * frame-level upgrade, and appends one close frame when {@code closeWith} completes. That upgrade is
 * Pekko-internal API, pinned by our Pekko HTTP version; if the request's upgrade is not the
 * expected class, the connection is served the public way and closes with 1011 instead.
 */
final class ClosingWebSocket {

  /** Why Riata ends a connection: an RFC 6455 status code and a short reason (at most 123 bytes). */
  record Close(int code, String reason) {}

  /** RFC 6455 opcode 1, a text frame. */
  private static final Protocol.Opcode TEXT = Protocol.Opcode$.MODULE$.forCode((byte) 1);

  private final WebSocketSettings settings;
  private final LoggingAdapter log;

  ClosingWebSocket(Materializer materializer) {
    this.settings = (WebSocketSettings) ServerSettings.create(materializer.system()).getWebsocketSettings();
    this.log = Logging.getLogger(materializer.system(), ClosingWebSocket.class);
  }

  /**
   * @param pushed      notifications (complete JSON-RPC messages, UTF-8) sent as text frames of
   *                    their own, beside the handler's answers
   * @param idleTimeout a connection from which nothing arrived for this long (not even the pong to
   *                    a keep-alive ping) is closed with 1001: the client is gone or hung
   */
  HttpResponse handle(WebSocketUpgrade upgrade, Flow<Message, Message, NotUsed> handler, Source<ByteString, NotUsed> pushed,
                      CompletionStage<Close> closeWith, Duration idleTimeout) {
    if (!(upgrade instanceof UpgradeToWebSocketLowLevel lowLevel)) {
      return upgrade.handleMessagesWith(handler.merge(pushed.map(bytes -> TextMessage.create(bytes.utf8String())), true));
    }
    // Pekko's scaladsl messages are javadsl messages too; answers go back as scaladsl ones.
    Flow<org.apache.pekko.http.scaladsl.model.ws.Message, org.apache.pekko.http.scaladsl.model.ws.Message, NotUsed> scalaHandler =
        Flow.<org.apache.pekko.http.scaladsl.model.ws.Message>create()
            .map(m -> (Message) m)
            .via(handler)
            .map(Message::asScala);
    AtomicLong lastHeard = new AtomicLong(System.nanoTime());
    Flow<FrameEvent, FrameEvent, NotUsed> frames = Flow.<FrameEvent>create()
        .map(frame -> {
          lastHeard.lazySet(System.nanoTime());
          return frame;
        })
        .via(WebSocket$.MODULE$.stack(true, settings, WebSocket$.MODULE$.stack$default$3(), log).join(scalaHandler));
    Duration check = idleTimeout.dividedBy(4).compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : idleTimeout.dividedBy(4);
    Source<FrameEvent, ?> idleClose = Source.tick(check, check, Boolean.TRUE)
        .filter(tick -> System.nanoTime() - lastHeard.get() > idleTimeout.toNanos())
        .take(1)
        .map(tick -> (FrameEvent) FrameEvent$.MODULE$.closeFrame(1001, "idle for " + idleTimeout.toSeconds() + " s", Option.empty()));
    Source<FrameEvent, NotUsed> closeFrame = Source.completionStage(closeWith)
        .map(close -> (FrameEvent) FrameEvent$.MODULE$.closeFrame(close.code(), close.reason(), Option.empty()));
    // eagerComplete: once the close frame is out, the connection ends (and the handler is cancelled).
    @SuppressWarnings({"unchecked", "rawtypes"})
    // A notification is one whole text frame, rendered from bytes the feed encoded once for all its
    // clients. That is safe next to the handler's frames because its answers are whole messages
    // too (one frame each), and it skips Pekko's per-message rendering.
    Source<FrameEvent, NotUsed> notifications = pushed.map(bytes ->
        (FrameEvent) FrameEvent$.MODULE$.fullFrame(TEXT, Option.empty(), bytes, true, false, false, false));
    Graph<FlowShape<FrameEvent, FrameEvent>, Object> withClose =
        (Graph) frames.merge(notifications, true).merge(closeFrame, true).merge(idleClose, true);
    return lowLevel.handleFrames(withClose, Option.empty());
  }
}
