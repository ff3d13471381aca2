package io.riata.core.config;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * One upstream provider of a chain, as configured in {@code chains.yml}.
 *
 * @param wsUrl          WebSocket URL, or {@code null} when the provider has none
 * @param priority       lower is preferred by the {@code priority} strategy
 * @param weight         share of traffic for the {@code load-balanced} strategy, at least 1
 * @param allowMethods   when not empty, only these methods go to this provider
 * @param denyMethods    these methods never go to this provider
 * @param requestTimeout per-attempt timeout; {@code null} means the method's default deadline
 * @param maxConcurrency requests in flight to this provider at once, per node
 */
public record ProviderConfig(
    String id,
    URI httpUrl,
    URI wsUrl,
    int priority,
    int weight,
    boolean archival,
    Set<String> allowMethods,
    Set<String> denyMethods,
    Duration requestTimeout,
    Map<String, String> headers,
    int maxConcurrency) {

  public ProviderConfig {
    allowMethods = Set.copyOf(allowMethods);
    denyMethods = Set.copyOf(denyMethods);
    headers = Map.copyOf(headers);
  }

  /** Whether this provider may be asked {@code method} at all (allow and deny lists). */
  public boolean allows(String method) {
    if (denyMethods.contains(method)) {
      return false;
    }
    return allowMethods.isEmpty() || allowMethods.contains(method);
  }

  /** URLs and header values may hold API keys: written as {@link Redaction} shows them. */
  @Override
  public String toString() {
    return "ProviderConfig[id=" + id + ", httpUrl=" + Redaction.url(httpUrl)
        + ", wsUrl=" + (wsUrl == null ? null : Redaction.url(wsUrl)) + ", priority=" + priority
        + ", weight=" + weight + ", archival=" + archival + ", allowMethods=" + allowMethods
        + ", denyMethods=" + denyMethods + ", requestTimeout=" + requestTimeout
        + ", headers=" + Redaction.headers(headers) + ", maxConcurrency=" + maxConcurrency + "]";
  }
}
