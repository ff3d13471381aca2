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
  /** The chain in the URL is not configured; {@code data.chains} lists the known ones. */
  public static final int UNKNOWN_CHAIN = -32052;
  /** A limit was exceeded before any provider was contacted (batch length, body size). */
  public static final int LIMIT_EXCEEDED = -32053;

  private JsonRpcErrors() {}
}
