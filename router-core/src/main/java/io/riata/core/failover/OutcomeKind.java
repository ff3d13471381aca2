package io.riata.core.failover;

/** How one attempt against one provider ended, from the router's point of view. */
public enum OutcomeKind {
  /** A result; the provider is healthy. */
  SUCCESS,
  /** A JSON-RPC error that belongs to the caller (reverted call, invalid params): returned as-is; the provider is healthy. */
  CALLER_ERROR,
  /** The provider throttled us (HTTP 429, -32005, rate-limit or quota messages): try the next one, cool this one down. */
  RATE_LIMITED,
  /**
   * The provider does not offer the method (-32601, -32004): try the next one; the provider is
   * healthy. When no provider offers it, the last such answer goes back to the caller.
   */
  UNSUPPORTED,
  /** No answer within the attempt's timeout: try the next one; counts double towards opening the breaker. */
  TIMEOUT,
  /** Any other failure that another provider may not have: connect refused or reset, 5xx, malformed reply. */
  RETRIABLE;

  /** Whether the provider behaved well (its breaker counts a success). */
  public boolean healthy() {
    return this == SUCCESS || this == CALLER_ERROR || this == UNSUPPORTED;
  }

  /** Whether the answer settles the request (it goes back to the caller as the provider sent it). */
  public boolean settles() {
    return this == SUCCESS || this == CALLER_ERROR;
  }
}
