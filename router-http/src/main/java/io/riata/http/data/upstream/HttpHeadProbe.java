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
 * Head probe over the upstream client ({@code eth_blockNumber}, and {@code eth_getBlockByNumber}
 * with the {@code safe} and {@code finalized} tags for finality). Probes take no concurrency
 * permit: a provider busy with client traffic must not look dead to its own probes.
 */
public final class HttpHeadProbe implements HeadProbe {

  private static final byte[] BLOCK_NUMBER =
      "{\"jsonrpc\":\"2.0\",\"id\":\"riata-probe\",\"method\":\"eth_blockNumber\",\"params\":[]}"
          .getBytes(StandardCharsets.UTF_8);

  private static final byte[] SAFE = taggedBlock("safe");
  private static final byte[] FINALIZED = taggedBlock("finalized");

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static byte[] taggedBlock(String tag) {
    return ("{\"jsonrpc\":\"2.0\",\"id\":\"riata-finality\",\"method\":\"eth_getBlockByNumber\",\"params\":[\""
        + tag + "\",false]}").getBytes(StandardCharsets.UTF_8);
  }

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

  /**
   * The two tags one after the other (one connection's worth of load on the provider); a tag the
   * provider does not answer (error, {@code null}, failure) is -1.
   */
  @Override
  public CompletionStage<Finality> finality(ChainConfig chain, ProviderConfig provider) {
    return tagged(provider, SAFE).thenCompose(safe ->
        tagged(provider, FINALIZED).thenApply(finalized -> new Finality(safe, finalized)));
  }

  private CompletionStage<Long> tagged(ProviderConfig provider, byte[] request) {
    return client.call(provider, request, timeout)
        .thenApply(HttpHeadProbe::parseBlockNumber)
        .exceptionally(failure -> -1L);
  }

  /** The {@code number} of the block in the reply, or -1 when there is none. */
  static long parseBlockNumber(UpstreamResponse response) {
    if (response.status() != 200) {
      return -1;
    }
    try {
      String hex = MAPPER.readTree(response.body()).path("result").path("number").asText(null);
      return hex != null && hex.startsWith("0x") && hex.length() > 2 && hex.length() <= 17
          ? Long.parseLong(hex.substring(2), 16) : -1;
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
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
