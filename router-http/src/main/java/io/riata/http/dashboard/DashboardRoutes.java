package io.riata.http.dashboard;

import java.util.Optional;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * {@code /dashboard}: a page showing the feed live. {@code /ws/dashboard}: the live cluster rollup as JSON text messages (docs/dashboard-feed.md).
 * The newest rollup on connect, then each new one; a client that reads slowly skips rollups
 * instead of queueing them. Messages from the client are ignored.
 */
public final class DashboardRoutes extends AllDirectives {

  private final DashboardFeed feed;

  public DashboardRoutes(DashboardFeed feed) {
    this.feed = feed;
  }

  /** {@code /ws/dashboard} (the feed) and {@code /dashboard} (the page, from resources). */
  public Route route() {
    return concat(
        pathPrefix("ws", () -> path("dashboard", () -> handleWebSocketMessages(flow()))),
        get(() -> pathPrefix("dashboard", () -> concat(
            pathEndOrSingleSlash(() -> getFromResource("dashboard/index.html", ContentTypes.TEXT_HTML_UTF8)),
            path("dashboard.js", () -> getFromResource("dashboard/dashboard.js",
                ContentTypes.create(MediaTypes.APPLICATION_JAVASCRIPT, HttpCharsets.UTF_8))),
            path("dashboard.css", () -> getFromResource("dashboard/dashboard.css",
                ContentTypes.create(MediaTypes.TEXT_CSS, HttpCharsets.UTF_8)))))));
  }

  private Flow<Message, Message, NotUsed> flow() {
    // The subscription starts when the socket's stream does, not when the route is built.
    Source<Message, NotUsed> out = Source.lazySource(() -> {
      DashboardFeed.Subscriber subscriber = feed.subscribe();
      return Source.unfoldAsync(subscriber, s -> s.next()
              .thenApply(json -> Optional.of(Pair.create(s, (Message) TextMessage.create(json)))))
          .watchTermination((notUsed, done) -> {
            done.whenComplete((ok, failure) -> subscriber.close());
            return notUsed;
          });
    }).mapMaterializedValue(f -> NotUsed.getInstance());
    return Flow.fromSinkAndSourceCoupled(Sink.ignore(), out);
  }
}
