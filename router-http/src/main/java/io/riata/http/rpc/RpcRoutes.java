package io.riata.http.rpc;

import io.riata.core.jsonrpc.JsonRpcCodec;
import io.riata.core.jsonrpc.JsonRpcErrors;
import io.riata.http.HttpSettings;
import io.riata.http.data.EngineGateway;
import io.riata.http.data.RoutingHeaders;
import io.riata.http.util.Stages;
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

  private final RouteResolver resolver;
  private final EngineGateway dispatcher;
  private final HttpSettings settings;
  private final Materializer materializer;

  public RpcRoutes(RouteResolver resolver, EngineGateway dispatcher, HttpSettings settings, Materializer materializer) {
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
    return dispatcher.dispatch(target.chain(), target.strategy(), target.allowed(), body)
        .thenApply(answer -> answer.body() == null
            ? HttpResponse.create().withStatus(StatusCodes.NO_CONTENT)
            : withRouting(json(StatusCodes.OK, answer.body()), RoutingHeaders.of(answer.routed(), answer.single())));
  }

  private HttpResponse tooLarge() {
    return json(StatusCodes.PAYLOAD_TOO_LARGE, JsonRpcCodec.errorResponse("null", JsonRpcErrors.INVALID_REQUEST,
        "request body exceeds the limit of " + settings.maxBodyBytes() + " bytes", null));
  }

  private static HttpResponse withRouting(HttpResponse response, RoutingHeaders routing) {
    response = response
        .addHeader(RawHeader.create(RoutingHeaders.PROVIDER, routing.provider()))
        .addHeader(RawHeader.create(RoutingHeaders.ATTEMPTS, Integer.toString(routing.attempts())));
    if (routing.attemptLog() != null) {
      response = response.addHeader(RawHeader.create(RoutingHeaders.ATTEMPT_LOG, routing.attemptLog()));
    }
    return response;
  }

  private static HttpResponse json(org.apache.pekko.http.javadsl.model.StatusCode status, byte[] body) {
    return HttpResponse.create().withStatus(status).withEntity(ContentTypes.APPLICATION_JSON, body);
  }
}
