package io.riata.core.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One chain and its providers.
 *
 * @param name            URL-safe name used in routes, e.g. {@code ethereum}
 * @param chainId         EIP-155 chain id; {@code eth_chainId} is answered from it
 * @param blockTime       expected time between blocks; drives probe intervals and stall detection
 * @param maxLagBlocks    providers further behind the chain head than this are not selected
 * @param defaultStrategy strategy for {@code /rpc/{chain}}: one of the names in the selection package
 * @param archiveDepth    a request for a block older than head minus this goes to archival providers
 * @param headQuorum      providers (with a recent head) that must have reached a block for it to be
 *                        the chain head; 0 for a majority of them
 * @param maxAheadBlocks  a provider further above that chain head than this is rogue: not selected
 * @param finalityInterval how often each provider's {@code safe} and {@code finalized} blocks are probed
 */
public record ChainConfig(
    String name,
    long chainId,
    Duration blockTime,
    int maxLagBlocks,
    String defaultStrategy,
    long archiveDepth,
    int headQuorum,
    long maxAheadBlocks,
    Duration finalityInterval,
    List<ProviderConfig> providers) {

  public ChainConfig {
    providers = List.copyOf(providers);
  }

  /** A chain with the default head quorum (a majority) and rogue distance. */
  public ChainConfig(String name, long chainId, Duration blockTime, int maxLagBlocks, String defaultStrategy,
                     long archiveDepth, List<ProviderConfig> providers) {
    this(name, chainId, blockTime, maxLagBlocks, defaultStrategy, archiveDepth, 0,
        defaultMaxAheadBlocks(maxLagBlocks), defaultFinalityInterval(blockTime), providers);
  }

  /** Four block times, within 2 s .. 60 s: finality moves far slower than the head. */
  public static Duration defaultFinalityInterval(Duration blockTime) {
    Duration four = blockTime.multipliedBy(4);
    if (four.compareTo(Duration.ofSeconds(2)) < 0) {
      return Duration.ofSeconds(2);
    }
    return four.compareTo(Duration.ofSeconds(60)) > 0 ? Duration.ofSeconds(60) : four;
  }

  /** Well beyond any lag tolerated, so a provider that is merely fast is never mistaken for a liar. */
  public static long defaultMaxAheadBlocks(int maxLagBlocks) {
    return Math.max(64L, 4L * maxLagBlocks);
  }

  public Optional<ProviderConfig> provider(String id) {
    for (ProviderConfig p : providers) {
      if (p.id().equals(id)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** The chain id as {@code eth_chainId} returns it: a 0x-prefixed hex quantity. */
  public String chainIdHex() {
    return "0x" + Long.toHexString(chainId);
  }
}
