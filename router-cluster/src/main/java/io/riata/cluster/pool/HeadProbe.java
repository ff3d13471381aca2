package io.riata.cluster.pool;

import io.riata.core.config.ChainConfig;
import io.riata.core.config.ProviderConfig;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Asks one provider for its latest block number, and (at a slower cadence) for its {@code safe}
 * and {@code finalized} blocks. Implemented by the HTTP module; the pool only schedules it. Each
 * stage must complete (with a value or a failure) within the probe timeout.
 */
@FunctionalInterface
public interface HeadProbe {

  /** A provider's {@code safe} and {@code finalized} block numbers; -1 for a tag it does not answer. */
  record Finality(long safe, long finalized) {
    public static final Finality UNKNOWN = new Finality(-1, -1);
  }

  CompletionStage<Long> blockNumber(ChainConfig chain, ProviderConfig provider);

  /** The provider's finality; a probe that cannot ask for it answers {@link Finality#UNKNOWN}. */
  default CompletionStage<Finality> finality(ChainConfig chain, ProviderConfig provider) {
    return CompletableFuture.completedFuture(Finality.UNKNOWN);
  }
}
