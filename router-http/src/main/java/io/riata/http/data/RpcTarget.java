package io.riata.http.data;

import io.riata.cluster.node.ChainRuntime;
import io.riata.core.config.ProviderConfig;
import io.riata.core.selection.Strategy;
import java.util.function.Predicate;

/** Where a route sends its requests: the chain, the strategy and which providers it may use. */
public record RpcTarget(ChainRuntime chain, Strategy strategy, Predicate<ProviderConfig> allowed)
    implements RouteResolver.Route {}
