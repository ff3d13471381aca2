package io.riata.core.jsonrpc;

/**
 * What a provider's reply body says, as far as failover cares.
 *
 * @param wellFormed   a JSON object with a {@code result} or an {@code error} member
 * @param errorCode    {@code error.code}, or {@code null} when there is no error object or no code
 * @param errorMessage {@code error.message}, or {@code null}
 * @param nullResult   the result is {@code null} (for a request naming a block: the provider does not have it)
 */
public record UpstreamReply(boolean wellFormed, boolean hasResult, Integer errorCode, String errorMessage,
                            boolean nullResult) {

  static final UpstreamReply MALFORMED = new UpstreamReply(false, false, null, null, false);

  /** A reply whose result, if any, is not {@code null}. */
  public UpstreamReply(boolean wellFormed, boolean hasResult, Integer errorCode, String errorMessage) {
    this(wellFormed, hasResult, errorCode, errorMessage, false);
  }
}
