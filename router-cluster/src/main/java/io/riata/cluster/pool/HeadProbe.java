package io.riata.cluster.pool;

import io.riata.core.config.ChainConfig;
import io.riata.core.config.ProviderConfig;
import java.util.concurrent.CompletionStage;

/**
 * Asks one provider for its latest block number. Implemented by the HTTP module; the pool only
 * schedules it. The stage must complete (with a value or a failure) within the probe timeout.
 */
@FunctionalInterface
public interface HeadProbe {
  CompletionStage<Long> blockNumber(ChainConfig chain, ProviderConfig provider);
}
