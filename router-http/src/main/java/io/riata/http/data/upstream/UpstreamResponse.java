package io.riata.http.data.upstream;

/**
 * A provider's HTTP answer, copied off the event loop for callers that are not on one (head
 * probes, subscription catch-up).
 *
 * @param retryAfter the Retry-After header, or {@code null}
 */
public record UpstreamResponse(int status, byte[] body, String retryAfter) {}
