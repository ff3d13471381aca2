package io.riata.http.sim;

import java.time.Duration;
import java.util.Objects;

/**
 * How one simulated provider behaves from the moment it starts.
 *
 * @param name           shown in {@code web3_clientVersion} as {@code riata-sim/<name>}
 * @param chainId        answered by {@code eth_chainId} and {@code net_version}
 * @param blockTime      time between two blocks; strictly positive
 * @param startBlock     head at start
 * @param latency        delay before every written answer; zero for none
 * @param errorEvery     every n-th call gets a JSON-RPC error; 0 turns it off
 * @param rateLimitEvery every n-th HTTP request gets a 429; 0 turns it off
 * @param retryAfter     sent in the 429's {@code Retry-After}, rounded up to whole seconds
 */
public record SimSettings(String name, long chainId, Duration blockTime, long startBlock,
                          Duration latency, int errorEvery, int rateLimitEvery, Duration retryAfter) {

  public SimSettings {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(blockTime, "blockTime");
    Objects.requireNonNull(latency, "latency");
    Objects.requireNonNull(retryAfter, "retryAfter");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank");
    }
    if (chainId <= 0) {
      throw new IllegalArgumentException("chainId must be positive, got " + chainId);
    }
    if (blockTime.isNegative() || blockTime.isZero()) {
      throw new IllegalArgumentException("blockTime must be positive, got " + blockTime);
    }
    if (startBlock < 0) {
      throw new IllegalArgumentException("startBlock must not be negative, got " + startBlock);
    }
    if (latency.isNegative()) {
      throw new IllegalArgumentException("latency must not be negative, got " + latency);
    }
    if (errorEvery < 0 || rateLimitEvery < 0) {
      throw new IllegalArgumentException("errorEvery and rateLimitEvery must be 0 (off) or positive");
    }
    if (retryAfter.isNegative()) {
      throw new IllegalArgumentException("retryAfter must not be negative, got " + retryAfter);
    }
  }

  /** A provider that answers everything promptly: one block a second from block 1,000,000. */
  public static SimSettings healthy(String name, long chainId) {
    return new SimSettings(name, chainId, Duration.ofSeconds(1), 1_000_000L,
        Duration.ZERO, 0, 0, Duration.ofSeconds(1));
  }

  public SimSettings withLatency(Duration latency) {
    return new SimSettings(name, chainId, blockTime, startBlock, latency, errorEvery, rateLimitEvery, retryAfter);
  }

  public SimSettings withErrorEvery(int errorEvery) {
    return new SimSettings(name, chainId, blockTime, startBlock, latency, errorEvery, rateLimitEvery, retryAfter);
  }

  public SimSettings withRateLimitEvery(int rateLimitEvery) {
    return new SimSettings(name, chainId, blockTime, startBlock, latency, errorEvery, rateLimitEvery, retryAfter);
  }

  public SimSettings withBlockTime(Duration blockTime) {
    return new SimSettings(name, chainId, blockTime, startBlock, latency, errorEvery, rateLimitEvery, retryAfter);
  }

  public SimSettings withStartBlock(long startBlock) {
    return new SimSettings(name, chainId, blockTime, startBlock, latency, errorEvery, rateLimitEvery, retryAfter);
  }

  public SimSettings withRetryAfter(Duration retryAfter) {
    return new SimSettings(name, chainId, blockTime, startBlock, latency, errorEvery, rateLimitEvery, retryAfter);
  }
}
