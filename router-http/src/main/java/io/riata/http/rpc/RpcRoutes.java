package io.riata.http.rpc;

import io.riata.cluster.node.ChainRuntime;
import io.riata.cluster.node.NodeRuntime;
import io.riata.core.config.ChainConfig;
import io.riata.core.config.ProfileConfig;
import io.riata.core.config.ProviderConfig;
import io.riata.core.jsonrpc.JsonRpcCodec;
import io.riata.core.jsonrpc.JsonRpcErrors;
import io.riata.core.jsonrpc.Parsed;
import io.riata.core.selection.Strategies;
import io.riata.core.selection.Strategy;
import io.riata.core.selection.StrategyName;
import io.riata.http.HttpSettings;
import io.riata.http.util.Stages;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
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

  private final NodeRuntime node;
  private final FailoverExecutor executor;
  private final HttpSettings settings;
  private final Materializer materializer;
  private final Map<String, Map<StrategyName, Strategy>> strategies = new HashMap<>();

  public RpcRoutes(NodeRuntime node, FailoverExecutor executor, HttpSettings settings, Materializer materializer) {
    this.node = node;
    this.executor = executor;
    this.settings = settings;
    this.materializer = materializer;
    for (ChainRuntime chain : node.chains()) {
      Map<StrategyName, Strategy> byName = new EnumMap<>(StrategyName.class);
      for (StrategyName name : StrategyName.values()) {
        byName.put(name, Strategies.create(name));
      }
      strategies.put(chain.config().name(), byName);
    }
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

  /** Where a request goes: the chain, the strategy and which providers it may use. */
  private record Target(ChainRuntime chain, Strategy strategy, Predicate<ProviderConfig> allowed) {}

  private CompletableFuture<HttpResponse> handle(String path, HttpEntity entity) {
    Object resolved = resolve(path);
    if (resolved instanceof HttpResponse error) {
      entity.discardBytes(materializer);
      return CompletableFuture.completedFuture(error);
    }
    Target target = (Target) resolved;
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
      return answer(target, strict.getData().toArray()).toCompletableFuture();
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

  private HttpResponse tooLarge() {
    return json(StatusCodes.PAYLOAD_TOO_LARGE, JsonRpcCodec.errorResponse("null", JsonRpcErrors.INVALID_REQUEST,
        "request body exceeds the limit of " + settings.maxBodyBytes() + " bytes", null));
  }

  private CompletionStage<HttpResponse> answer(Target target, byte[] body) {
    Parsed parsed = JsonRpcCodec.parse(body);
    if (parsed instanceof Parsed.ParseError error) {
      return done(json(StatusCodes.OK, JsonRpcCodec.errorResponse("null", JsonRpcErrors.PARSE_ERROR,
          "parse error: " + error.message(), null)));
    }
    if (parsed instanceof Parsed.EmptyBatch) {
      return done(json(StatusCodes.OK, JsonRpcCodec.errorResponse("null", JsonRpcErrors.INVALID_REQUEST,
          "invalid request: empty batch", null)));
    }
    if (parsed instanceof Parsed.Single single) {
      if (single.item() instanceof Parsed.Invalid invalid) {
        return done(json(StatusCodes.OK, invalidItem(invalid)));
      }
      var request = ((Parsed.Request) single.item()).request();
      CompletableFuture<FailoverExecutor.Outcome> outcome =
          executor.execute(target.chain(), target.strategy(), target.allowed(), request);
      if (request.isNotification()) {
        return done(HttpResponse.create().withStatus(StatusCodes.NO_CONTENT));
      }
      return outcome.thenApply(o -> withRouting(json(StatusCodes.OK, o.body()), List.of(o), true));
    }
    List<Parsed.Item> items = ((Parsed.Batch) parsed).items();
    if (items.size() > settings.maxBatchLength()) {
      return done(json(StatusCodes.OK, JsonRpcCodec.errorResponse("null", JsonRpcErrors.INVALID_REQUEST,
          "batch of " + items.size() + " requests exceeds the limit of " + settings.maxBatchLength(), null)));
    }
    return batch(target, items);
  }

  private CompletionStage<HttpResponse> batch(Target target, List<Parsed.Item> items) {
    List<CompletableFuture<FailoverExecutor.Outcome>> answered = new ArrayList<>(items.size());
    List<byte[]> fixed = new ArrayList<>(items.size());
    for (Parsed.Item item : items) {
      if (item instanceof Parsed.Invalid invalid) {
        answered.add(null);
        fixed.add(invalidItem(invalid));
        continue;
      }
      var request = ((Parsed.Request) item).request();
      CompletableFuture<FailoverExecutor.Outcome> outcome =
          executor.execute(target.chain(), target.strategy(), target.allowed(), request);
      answered.add(request.isNotification() ? null : outcome);
      fixed.add(null);
    }
    CompletableFuture<?>[] pending = answered.stream().filter(f -> f != null).toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(pending).thenApply(ignored -> {
      List<byte[]> replies = new ArrayList<>(items.size());
      List<FailoverExecutor.Outcome> outcomes = new ArrayList<>(pending.length);
      for (int i = 0; i < items.size(); i++) {
        if (fixed.get(i) != null) {
          replies.add(fixed.get(i));
        } else if (answered.get(i) != null) {
          FailoverExecutor.Outcome o = answered.get(i).join();
          outcomes.add(o);
          replies.add(o.body());
        }
      }
      if (replies.isEmpty()) {
        return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
      }
      return withRouting(json(StatusCodes.OK, JsonRpcCodec.batchResponse(replies)), outcomes, false);
    });
  }

  private Object resolve(String path) {
    String[] parts = path.startsWith("/") ? path.substring(1).split("/") : path.split("/");
    Predicate<ProviderConfig> allowed = p -> true;
    StrategyName strategyName = null;
    int i = 0;
    if (parts.length >= 3 && parts[0].equals("provider")) {
      String providerId = parts[1];
      allowed = p -> p.id().equals(providerId);
      i = 2;
      Optional<ChainRuntime> chain = parts.length == 3 ? node.chain(parts[2]) : Optional.empty();
      if (chain.isPresent() && chain.get().config().provider(providerId).isEmpty()) {
        return notFound("unknown provider " + providerId + " on chain " + chain.get().config().name(),
            "providers", chain.get().config().providers().stream().map(ProviderConfig::id).toList());
      }
    } else if (parts.length >= 3 && parts[0].equals("profile")) {
      ProfileConfig profile = node.config().profiles().get(parts[1]);
      if (profile == null) {
        return notFound("unknown profile " + parts[1], "profiles", List.copyOf(node.config().profiles().keySet()));
      }
      allowed = p -> profile.includesProvider(p.id());
      i = 2;
      if (parts.length == 4) {
        Optional<StrategyName> s = StrategyName.parse(parts[2]);
        if (s.isEmpty()) {
          return unknownStrategy(parts[2]);
        }
        strategyName = s.get();
        i = 3;
      }
      if (parts.length - i == 1 && !profile.includesChain(parts[i])
          && node.chain(parts[i]).map(c -> !profile.includesChain(c.config().name())).orElse(true)) {
        return notFound("chain " + parts[i] + " is not in profile " + profile.name(), "chains",
            List.copyOf(profile.chains()));
      }
    } else if (parts.length == 2) {
      Optional<StrategyName> s = StrategyName.parse(parts[0]);
      if (s.isEmpty()) {
        return unknownStrategy(parts[0]);
      }
      strategyName = s.get();
      i = 1;
    }
    if (parts.length - i != 1 || parts[i].isEmpty()) {
      return notFound("no such route: /rpc" + path, "routes", List.of("/rpc/{chain}", "/rpc/{strategy}/{chain}",
          "/rpc/provider/{providerId}/{chain}", "/rpc/profile/{profile}/{chain}",
          "/rpc/profile/{profile}/{strategy}/{chain}"));
    }
    Optional<ChainRuntime> chain = node.chain(parts[i]);
    if (chain.isEmpty()) {
      return notFound("unknown chain " + parts[i], "chains",
          node.chains().stream().map(c -> c.config().name() + " (" + c.config().chainId() + ")").toList());
    }
    ChainConfig config = chain.get().config();
    if (strategyName == null) {
      strategyName = StrategyName.parse(config.defaultStrategy()).orElse(StrategyName.FASTEST);
    }
    return new Target(chain.get(), strategies.get(config.name()).get(strategyName), allowed);
  }

  private HttpResponse unknownStrategy(String name) {
    List<String> names = new ArrayList<>();
    for (StrategyName s : StrategyName.values()) {
      names.add(s.id());
    }
    return notFound("unknown strategy " + name, "strategies", names);
  }

  private static HttpResponse notFound(String message, String listName, List<String> known) {
    StringBuilder data = new StringBuilder("{").append(JsonRpcCodec.quote(listName)).append(":[");
    for (int i = 0; i < known.size(); i++) {
      data.append(i > 0 ? "," : "").append(JsonRpcCodec.quote(known.get(i)));
    }
    data.append("]}");
    return json(StatusCodes.NOT_FOUND,
        JsonRpcCodec.errorResponse("null", JsonRpcErrors.UNKNOWN_CHAIN_OR_ROUTE, message, data.toString()));
  }

  private static byte[] invalidItem(Parsed.Invalid invalid) {
    return JsonRpcCodec.errorResponse(invalid.idJson(), JsonRpcErrors.INVALID_REQUEST,
        "invalid request: " + invalid.message(), null);
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

  private static CompletionStage<HttpResponse> done(HttpResponse response) {
    return CompletableFuture.completedFuture(response);
  }
}
