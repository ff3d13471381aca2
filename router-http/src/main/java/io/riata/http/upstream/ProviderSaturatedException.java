package io.riata.http.upstream;

/** This node already has the provider's maximum of requests in flight; nothing was sent. */
public final class ProviderSaturatedException extends RuntimeException {
  public ProviderSaturatedException(String providerId, int limit) {
    super("provider " + providerId + " saturated (" + limit + " in flight)", null, false, false);
  }
}
