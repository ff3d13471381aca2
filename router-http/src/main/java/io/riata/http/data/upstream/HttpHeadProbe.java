package io.riata.http.data.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.riata.cluster.pool.HeadProbe;
import io.riata.core.config.ChainConfig;
import io.riata.core.config.ProviderConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Head probe over the upstream client ({@code eth_blockNumber}). Probes take no concurrency
 * permit: a provider busy with client traffic must not look dead to its own probes.
 */
public final class HttpHeadProbe implements HeadProbe {

  private static final byte[] BLOCK_NUMBER =
      "{\"jsonrpc\":\"2.0\",\"id\":\"riata-probe\",\"method\":\"eth_blockNumber\",\"params\":[]}"
          .getBytes(StandardCharsets.UTF_8);

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final UpstreamClient client;
  private final Duration timeout;

  public HttpHeadProbe(UpstreamClient client, Duration timeout) {
    this.client = client;
    this.timeout = timeout;
  }

  @Override
  public CompletionStage<Long> blockNumber(ChainConfig chain, ProviderConfig provider) {
    return client.call(provider, BLOCK_NUMBER, timeout).thenApply(HttpHeadProbe::parseHead);
  }

  static long parseHead(UpstreamResponse response) {
    if (response.status() != 200) {
      throw new IllegalStateException("http " + response.status());
    }
    String hex;
    try {
      JsonNode result = MAPPER.readTree(response.body()).get("result");
      hex = result == null ? null : result.asText(null);
    } catch (IOException e) {
      throw new IllegalStateException("malformed reply");
    }
    if (hex == null || !hex.startsWith("0x") || hex.length() < 3) {
      throw new IllegalStateException("no block number in reply");
    }
    return Long.parseLong(hex.substring(2), 16);
  }
}
