package io.riata.http.rpc;

import io.riata.core.jsonrpc.JsonRpcCodec;
import io.riata.core.jsonrpc.JsonRpcErrors;
import io.riata.http.HttpSettings;
import io.riata.http.util.Stages;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.stream.Materializer;

/**
 * JSON-RPC over HTTP: {@code POST /rpc/{chain}}, {@code /rpc/{strategy}/{chain}},
 * {@code /rpc/provider/{providerId}/{chain}}, {@code /rpc/profile/{profile}/{chain}} and
 * {@code /rpc/profile/{profile}/{strategy}/{chain}}; a chain by name or decimal chain id.
 * Everything malformed or over a limit is answered here, before any provider is contacted.
 */
public final class RpcRoutes extends AllDirectives {

  public static final String PROVIDER_HEADER = "X-Riata-Provider";
  public static final String ATTEMPTS_HEADER = "X-Riata-Attempts";
  public static final String ATTEMPT_LOG_HEADER = "X-Riata-Attempt-Log";

  private final RouteResolver resolver;
  private final JsonRpcDispatcher dispatcher;
  private final HttpSettings settings;
  private final Materializer materializer;

  public RpcRoutes(RouteResolver resolver, JsonRpcDispatcher dispatcher, HttpSettings settings, Materializer materializer) {
    this.resolver = resolver;
    this.dispatcher = dispatcher;
    this.settings = settings;
    this.materializer = materializer;
  }

  public Route route() {
    return pathPrefix("rpc", () -> post(() -> extractUnmatchedPath(path ->
        extractRequestEntity(entity -> {
          CompletableFuture<HttpResponse> answer = handle(path, entity);
          // Answered already (errors, eth_chainId): no hop through a future callback.
          return answer.isDone() && !answer.isCompletedExceptionally()
              ? complete(answer.join())
              : completeWithFuture(answer);
        }))));
  }

  private CompletableFuture<HttpResponse> handle(String path, HttpEntity entity) {
    Object resolved = resolver.resolve(path);
    if (resolved instanceof RouteResolver.Rejection rejection) {
      entity.discardBytes(materializer);
      return CompletableFuture.completedFuture(json(StatusCodes.get(rejection.status()), rejection.body()));
    }
    RpcTarget target = (RpcTarget) resolved;
    var declared = entity.getContentLengthOption();
    if (declared.isPresent() && declared.getAsLong() > settings.maxBodyBytes()) {
      entity.discardBytes(materializer);
      return CompletableFuture.completedFuture(tooLarge());
    }
    if (entity instanceof HttpEntity.Strict strict) {
      // The usual case: the whole body came with the headers. Read it here, without a stream.
      if (strict.getData().size() > settings.maxBodyBytes()) {
        return CompletableFuture.completedFuture(tooLarge());
      }
      return answer(target, strict.getData().toArray());
    }
    return Stages.plain(entity.toStrict(settings.bodyReadTimeout().toMillis(), settings.maxBodyBytes(), materializer))
        .thenCompose(strict -> answer(target, strict.getData().toArray()))
        .exceptionally(failure -> {
          for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof EntityStreamSizeException) {
              return tooLarge(); // a chunked body that grew past the limit
            }
          }
          Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
          return json(StatusCodes.INTERNAL_SERVER_ERROR, JsonRpcCodec.errorResponse("null",
              JsonRpcErrors.INTERNAL_ERROR, "internal error: " + cause.getClass().getSimpleName(), null));
        });
  }

  private CompletableFuture<HttpResponse> answer(RpcTarget target, byte[] body) {
    return dispatcher.dispatch(target, body).thenApply(answer -> answer.body() == null
        ? HttpResponse.create().withStatus(StatusCodes.NO_CONTENT)
        : withRouting(json(StatusCodes.OK, answer.body()), answer.outcomes(), answer.single()));
  }

  private HttpResponse tooLarge() {
    return json(StatusCodes.PAYLOAD_TOO_LARGE, JsonRpcCodec.errorResponse("null", JsonRpcErrors.INVALID_REQUEST,
        "request body exceeds the limit of " + settings.maxBodyBytes() + " bytes", null));
  }

  private static HttpResponse withRouting(HttpResponse response, List<FailoverExecutor.Outcome> outcomes, boolean log) {
    Set<String> providers = new LinkedHashSet<>();
    int attempts = 0;
    StringBuilder attemptLog = new StringBuilder();
    for (FailoverExecutor.Outcome o : outcomes) {
      if (o.providerId() != null) {
        providers.add(o.providerId());
      }
      attempts += o.attempts().size();
      if (log) {
        for (FailoverExecutor.Attempt a : o.attempts()) {
          if (attemptLog.length() > 0) {
            attemptLog.append(", ");
          }
          attemptLog.append(a.providerId()).append('=').append(headerSafe(a.reason()));
        }
      }
    }
    response = response
        .addHeader(RawHeader.create(PROVIDER_HEADER, providers.isEmpty() ? "riata" : String.join(",", providers)))
        .addHeader(RawHeader.create(ATTEMPTS_HEADER, Integer.toString(attempts)));
    if (attemptLog.length() > 0) {
      response = response.addHeader(RawHeader.create(ATTEMPT_LOG_HEADER, attemptLog.toString()));
    }
    return response;
  }

  private static String headerSafe(String text) {
    StringBuilder out = new StringBuilder(Math.min(text.length(), 120));
    for (int i = 0; i < text.length() && out.length() < 120; i++) {
      char c = text.charAt(i);
      out.append(c >= 0x20 && c < 0x7f && c != ',' ? c : ' ');
    }
    return out.toString();
  }

  private static HttpResponse json(org.apache.pekko.http.javadsl.model.StatusCode status, byte[] body) {
    return HttpResponse.create().withStatus(status).withEntity(ContentTypes.APPLICATION_JSON, body);
  }
}
