package io.riata.core.jsonrpc;

/**
 * What a provider's reply body says, as far as failover cares.
 *
 * @param wellFormed   a JSON object with a {@code result} or an {@code error} member
 * @param errorCode    {@code error.code}, or {@code null} when there is no error object or no code
 * @param errorMessage {@code error.message}, or {@code null}
 */
public record UpstreamReply(boolean wellFormed, boolean hasResult, Integer errorCode, String errorMessage) {

  static final UpstreamReply MALFORMED = new UpstreamReply(false, false, null, null);
}
