package io.riata.http.upstream;

/**
 * A provider's HTTP answer, body untouched.
 *
 * @param retryAfter the Retry-After header, or {@code null}
 */
public record UpstreamResponse(int status, byte[] body, String retryAfter) {}
