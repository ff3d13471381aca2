package io.riata.http.data;

import io.riata.cluster.node.ChainRuntime;
import io.riata.cluster.node.NodeRuntime;
import io.riata.core.config.ChainConfig;
import io.riata.core.config.ProfileConfig;
import io.riata.core.config.ProviderConfig;
import io.riata.core.jsonrpc.JsonRpcCodec;
import io.riata.core.jsonrpc.JsonRpcErrors;
import io.riata.core.selection.Strategies;
import io.riata.core.selection.Strategy;
import io.riata.core.selection.StrategyName;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Turns the part of a path after {@code /rpc} (or {@code /ws/rpc}) into where requests go: the
 * chain, the strategy and the providers allowed; or into a 404 that lists what exists. Shared by
 * the HTTP and WebSocket surfaces, so both accept exactly the same routes.
 */
public final class RouteResolver {

  /** Where a path leads: an {@link RpcTarget}, or a {@link Rejection}. */
  public sealed interface Route permits RpcTarget, Rejection {}

  /** A path that names nothing: HTTP status 404 and a JSON-RPC error body listing what exists. */
  public record Rejection(int status, byte[] body) implements Route {}

  private final NodeRuntime node;
  private final Map<String, Map<StrategyName, Strategy>> strategies = new HashMap<>();

  public RouteResolver(NodeRuntime node) {
    this.node = node;
    for (ChainRuntime chain : node.chains()) {
      Map<StrategyName, Strategy> byName = new EnumMap<>(StrategyName.class);
      for (StrategyName name : StrategyName.values()) {
        byName.put(name, Strategies.create(name));
      }
      strategies.put(chain.config().name(), byName);
    }
  }

  /** The configuration routes are resolved against; a new one (a reload) makes cached routes stale. */
  public Object configuration() {
    return node.config();
  }

  public Route resolve(String path) {
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
    return new RpcTarget(chain.get(), strategies.get(config.name()).get(strategyName), allowed);
  }

  private static Rejection unknownStrategy(String name) {
    List<String> names = new ArrayList<>();
    for (StrategyName s : StrategyName.values()) {
      names.add(s.id());
    }
    return notFound("unknown strategy " + name, "strategies", names);
  }

  private static Rejection notFound(String message, String listName, List<String> known) {
    StringBuilder data = new StringBuilder("{").append(JsonRpcCodec.quote(listName)).append(":[");
    for (int i = 0; i < known.size(); i++) {
      data.append(i > 0 ? "," : "").append(JsonRpcCodec.quote(known.get(i)));
    }
    data.append("]}");
    return new Rejection(404,
        JsonRpcCodec.errorResponse("null", JsonRpcErrors.UNKNOWN_CHAIN_OR_ROUTE, message, data.toString()));
  }
}
