package io.riata.core.jsonrpc;

/** Error codes Riata itself answers with. Provider errors pass through with their own codes. */
public final class JsonRpcErrors {
  public static final int PARSE_ERROR = -32700;
  public static final int INVALID_REQUEST = -32600;
  public static final int METHOD_NOT_FOUND = -32601;
  public static final int INVALID_PARAMS = -32602;
  public static final int INTERNAL_ERROR = -32603;
  /** Every attempt failed; {@code data.attempts} lists provider and reason for each. */
  public static final int ALL_PROVIDERS_FAILED = -32050;
  /** No provider of the chain can take the request (all open, lagging, drained or filtered out). */
  public static final int NO_PROVIDER_AVAILABLE = -32051;
  /**
   * The chain, strategy, provider or profile in the URL does not exist (HTTP 404); {@code data}
   * lists the known ones, e.g. {@code data.chains}.
   */
  public static final int UNKNOWN_CHAIN_OR_ROUTE = -32052;
  /** This node is at its limit of requests in flight (HTTP 503 with {@code Retry-After}); nothing was sent upstream. */
  public static final int NODE_OVERLOADED = -32053;
  /**
   * Every provider that could take the request is at its concurrency limit on this node: nothing
   * was sent (HTTP 503 with {@code Retry-After}).
   */
  public static final int PROVIDERS_SATURATED = -32054;
  /**
   * A provider's reply was larger than this node reads ({@code riata.http.upstream.max-response-size});
   * {@code data} names the limit and the provider. Asking for less (a narrower block range) helps.
   */
  public static final int REPLY_TOO_LARGE = -32055;
  /**
   * An {@code eth_subscribe("logs")} with a filter no client of this node uses yet, while the chain
   * has its maximum of logs feeds here (each holds a WebSocket to a provider:
   * {@code riata.http.websocket.max-upstream-sockets-per-chain}); nothing was opened.
   */
  public static final int SUBSCRIPTION_FEEDS_FULL = -32056;

  private JsonRpcErrors() {}
}
