package io.riata.http.ops.dashboard;

import io.riata.http.ops.admin.AdminRoutes;
import io.riata.http.ops.admin.OperatorToken;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The dashboard, on the operator port. {@code /dashboard}: a page showing the feed live (static
 * files holding no data, served to anyone who reaches the port). {@code /ws/dashboard}: the live
 * cluster rollup as JSON text messages (docs/dashboard-feed.md); the newest rollup on connect,
 * then each new one; a client that reads slowly skips rollups instead of queueing them. Messages
 * from the client are ignored.
 *
 * <p>With a token configured the feed wants it ({@link OperatorToken#admitsFeed}); without one
 * the upgrade is refused with 401 and no socket opens. With {@code max-subscribers} feeds open the
 * next upgrade is refused with 503 and Retry-After; one that passed that check in the same instant
 * as another, and found no place when its socket started, is closed at once (with 1000: Pekko
 * HTTP cannot send another close code). {@code /dashboard/access} tells the page
 * whether the token it holds (or none) would be admitted, since a browser learns nothing from a
 * refused WebSocket upgrade.
 */
public final class DashboardRoutes extends AllDirectives {

  /** Feed places free up only when a dashboard leaves: no point retrying every second. */
  private static final long RETRY_AFTER_SECONDS = 5;

  private final DashboardFeed feed;
  private final OperatorToken token;

  public DashboardRoutes(DashboardFeed feed, OperatorToken token) {
    this.feed = feed;
    this.token = token;
  }

  /** {@code /ws/dashboard} (the feed) and {@code /dashboard} (the page, from resources). */
  public Route route() {
    return concat(
        pathPrefix("ws", () -> path("dashboard", () -> extractWebSocketUpgrade(this::upgrade))),
        get(() -> pathPrefix("dashboard", () -> concat(
            pathEndOrSingleSlash(() -> getFromResource("dashboard/index.html", ContentTypes.TEXT_HTML_UTF8)),
            path("dashboard.js", () -> getFromResource("dashboard/dashboard.js",
                ContentTypes.create(MediaTypes.APPLICATION_JAVASCRIPT, HttpCharsets.UTF_8))),
            path("dashboard.css", () -> getFromResource("dashboard/dashboard.css",
                ContentTypes.create(MediaTypes.TEXT_CSS, HttpCharsets.UTF_8))),
            path("access", this::access)))));
  }

  private Route upgrade(WebSocketUpgrade upgrade) {
    List<String> offered = new ArrayList<>();
    upgrade.getRequestedProtocols().forEach(offered::add);
    return optionalHeaderValueByName("Authorization", auth -> {
      if (!token.admitsFeed(auth.orElse(null), offered)) {
        return complete(token.refusal(OperatorToken.presentsToken(auth.orElse(null), offered)));
      }
      if (feed.full()) {
        feed.refused();
        return complete(AdminRoutes.problem(503, "too-many-subscribers", "Too many feed subscribers",
                "this node serves the dashboard feed to at most " + feed.maxSubscribers() + " connections at once")
            .addHeader(RetryAfter.create(RETRY_AFTER_SECONDS)));
      }
      // A browser that offered protocols fails the socket unless one is selected; one that
      // offered none fails it if one is.
      return complete(offered.contains(OperatorToken.FEED_PROTOCOL)
          ? upgrade.handleMessagesWith(flow(), OperatorToken.FEED_PROTOCOL)
          : upgrade.handleMessagesWith(flow()));
    });
  }

  private Route access() {
    return optionalHeaderValueByName("Authorization", auth -> token.admits(auth.orElse(null))
        ? complete(HttpResponse.create().withEntity(ContentTypes.APPLICATION_JSON,
            ("{\"tokenRequired\":" + token.required() + "}").getBytes(StandardCharsets.UTF_8)))
        : complete(token.refusal(auth.isPresent())));
  }

  private Flow<Message, Message, NotUsed> flow() {
    // The subscription starts when the socket's stream does, not when the route is built.
    Source<Message, NotUsed> out = Source.lazySource(() -> {
      DashboardFeed.Subscriber subscriber = feed.subscribe();
      if (subscriber == null) {
        return Source.<Message>empty();
      }
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
