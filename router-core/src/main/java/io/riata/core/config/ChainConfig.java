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
 */
public record ChainConfig(
    String name,
    long chainId,
    Duration blockTime,
    int maxLagBlocks,
    String defaultStrategy,
    long archiveDepth,
    List<ProviderConfig> providers) {

  public ChainConfig {
    providers = List.copyOf(providers);
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
