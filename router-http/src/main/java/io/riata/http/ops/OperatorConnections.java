package io.riata.http.ops;

import io.riata.http.ops.admin.AdminRoutes;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.Connection;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;

/**
 * The operator port's bounds on its clients, applied to each connection Pekko HTTP accepts: at
 * most {@code max-connections} at once (the next one's request gets 503 and the connection is
 * closed), a deadline for every request head ({@link RequestHeadDeadline}), a deadline for every
 * request body (408), and the header limits of Pekko HTTP's parser ({@link HeaderLimitAnswers}).
 * The counts are this node's; none of it is on the RPC port's path.
 */
public final class OperatorConnections extends AllDirectives {

  /** Kamon counter of what the operator port turned away, tagged {@code reason}. */
  public static final String REFUSED_METRIC = "riata.operator.refused";
  public static final String REFUSED_DESCRIPTION = "connections and requests the operator port turned away, by reason";

  private final OperatorLimits limits;
  private final AtomicInteger open = new AtomicInteger();
  private final LongAdder refused = new LongAdder();
  private final LongAdder headTimeouts = new LongAdder();
  private final LongAdder bodyTimeouts = new LongAdder();

  public OperatorConnections(OperatorLimits limits) {
    this.limits = limits;
  }

  /**
   * Pekko HTTP's settings for the operator port: the parser's header limits, and its own
   * connection limit at twice ours. Pekko's limit stops accepting (a client then waits in the
   * kernel's accept queue with no answer), so it only backs ours up: refused connections hold a
   * place until their 503 is out or their head deadline passes.
   */
  public ServerSettings adapt(ServerSettings base) {
    return base
        .withParserSettings(base.getParserSettings()
            .withMaxUriLength(limits.maxUriLength())
            .withMaxHeaderValueLength(limits.maxHeaderValueLength())
            .withMaxHeaderCount(limits.maxHeaderCount()))
        .withParsingErrorHandler(HeaderLimitAnswers.class.getName())
        .withMaxConnections((int) Math.min(Integer.MAX_VALUE, 2L * limits.maxConnections()));
  }

  /** The handler Pekko HTTP materializes once per accepted connection, around {@code routes}. */
  public Flow<HttpRequest, HttpResponse, NotUsed> handler(Route routes, ClassicActorSystemProvider system) {
    Flow<HttpRequest, HttpResponse, NotUsed> served = withBodyDeadline(routes).flow(system);
    return Flow.fromMaterializer((Materializer materializer, org.apache.pekko.stream.Attributes attributes) -> {
      BidiFlow<HttpRequest, HttpRequest, HttpResponse, HttpResponse, NotUsed> deadline =
          BidiFlow.fromGraph(new RequestHeadDeadline(limits.headerReadTimeout(), headTimeouts::increment));
      if (open.incrementAndGet() > limits.maxConnections()) {
        open.decrementAndGet();
        refused.increment();
        return deadline.join(Flow.<HttpRequest>create().map(request -> {
          request.discardEntityBytes(materializer);
          return tooManyConnections();
        }));
      }
      return deadline.join(served).watchTermination((notUsed, done) -> {
        done.whenComplete((ok, failure) -> open.decrementAndGet());
        return notUsed;
      });
    }).mapMaterializedValue(ignored -> NotUsed.getInstance());
  }

  private HttpResponse tooManyConnections() {
    return AdminRoutes.problem(503, "too-many-connections", "Too many connections",
            "the operator port has its maximum of " + limits.maxConnections() + " connections open;"
                + " this connection is closed after this answer")
        .addHeader(RetryAfter.create(1L))
        .addHeader(Connection.create("close"));
  }

  /**
   * A body still arriving when its request reaches the routes is read whole here, within the
   * body-read timeout of its head; slower is answered 408 and the connection closed. Bodies that
   * came with their head (nearly all) cost nothing.
   */
  private Route withBodyDeadline(Route inner) {
    long millis = limits.bodyReadTimeout().toMillis();
    return extractRequestEntity(entity -> entity.isStrict() ? inner
        : extractMaterializer(materializer -> onComplete(entity.toStrict(millis, Long.MAX_VALUE, materializer),
            read -> {
              if (read.isSuccess()) {
                return mapRequest(request -> request.withEntity(read.get()), () -> inner);
              }
              Throwable failure = read.failed().get();
              if (failure instanceof CompletionException && failure.getCause() != null) {
                failure = failure.getCause();
              }
              if (failure instanceof TimeoutException) {
                bodyTimeouts.increment();
                return complete(AdminRoutes.problem(408, "request-timeout", "Request body too slow",
                        "the request body did not arrive within " + millis + " ms")
                    .addHeader(Connection.create("close")));
              }
              return failWith(failure);
            })));
  }

  /** HTTP connections open on the operator port now (a feed socket leaves this count at its upgrade). */
  public int open() {
    return open.get();
  }

  /** Connections answered 503 since start because {@code max-connections} were open. */
  public long refused() {
    return refused.sum();
  }

  /** Connections closed since start because a request head did not arrive in time. */
  public long headTimeouts() {
    return headTimeouts.sum();
  }

  /** Requests answered 408 since start because their body did not arrive in time. */
  public long bodyTimeouts() {
    return bodyTimeouts.sum();
  }

  public OperatorLimits limits() {
    return limits;
  }
}
