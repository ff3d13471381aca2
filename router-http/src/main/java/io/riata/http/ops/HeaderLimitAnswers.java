package io.riata.http.ops;

import io.riata.http.ops.admin.AdminRoutes;
import kamon.Kamon;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.Connection;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * The operator port's answer to a request head its parser refuses, as problem JSON, after which
 * the connection is closed: 414 for a request target over riata.http.admin.limits, 431 for a
 * header value or the number of headers over them (Pekko HTTP says 400 for the latter), counted
 * in {@code riata_operator_refused_total}; Pekko HTTP's own status for anything else malformed.
 *
 * <p>Logged at DEBUG only: Pekko HTTP's default handler logs every one at WARN, so any client
 * could fill the log, and a head cut off by the head deadline ({@link RequestHeadDeadline}) would
 * log a WARN of its own as a truncated message. Pekko HTTP creates this by class name for each
 * connection, before any route, so it cannot reach the node's counters: it counts in Kamon
 * directly (process-wide, as Kamon is).
 */
public final class HeaderLimitAnswers extends ParsingErrorHandler {

  private static final String TOO_MANY_HEADERS = "HTTP message contains more than the configured limit";

  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
    int code = status.intValue() == 400 && info.summary().startsWith(TOO_MANY_HEADERS) ? 431 : status.intValue();
    log.debug("operator port: request refused by the parser with {}: {}", code, info.summary());
    String type = switch (code) {
      case 414 -> "uri-too-long";
      case 431 -> "header-too-large";
      default -> "malformed-request";
    };
    if (code == 414 || code == 431) {
      Kamon.counter(OperatorConnections.REFUSED_METRIC, OperatorConnections.REFUSED_DESCRIPTION)
          .withTag("reason", type).increment();
    }
    return AdminRoutes.problem(code, type, status.reason(), info.summary()).addHeader(Connection.create("close"));
  }
}
