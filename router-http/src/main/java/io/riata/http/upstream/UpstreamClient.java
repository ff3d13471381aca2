package io.riata.http.upstream;

import io.riata.core.config.ProviderConfig;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;

/**
 * Sends request bytes to providers as they came, over pooled keep-alive HTTP/1.1 connections,
 * with a bound on requests in flight per provider and a timeout per attempt. Past the bound a
 * request fails at once with {@link ProviderSaturatedException} instead of queueing, so failover
 * can move it to a provider with room.
 */
public final class UpstreamClient {

  private final HttpClient http;
  private final int defaultMaxConcurrency;
  private final Map<String, Semaphore> inFlight = new ConcurrentHashMap<>();

  public UpstreamClient(Duration connectTimeout, int defaultMaxConcurrency, Executor executor) {
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .executor(executor)
        .build();
    this.defaultMaxConcurrency = defaultMaxConcurrency;
  }

  /**
   * POSTs {@code body} to the provider. The future fails with the transport's exception
   * ({@code HttpTimeoutException} on timeout, {@code ConnectException} when refused).
   */
  public CompletableFuture<UpstreamResponse> post(ProviderConfig provider, byte[] body, Duration timeout) {
    int limit = provider.maxConcurrency() > 0 ? provider.maxConcurrency() : defaultMaxConcurrency;
    Semaphore permits = inFlight.computeIfAbsent(provider.id(), id -> new Semaphore(limit));
    if (!permits.tryAcquire()) {
      return CompletableFuture.failedFuture(new ProviderSaturatedException(provider.id(), limit));
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(provider.httpUrl())
        .timeout(timeout)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    provider.headers().forEach(request::header);
    CompletableFuture<HttpResponse<byte[]>> sent;
    try {
      sent = http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (RuntimeException e) {
      permits.release();
      return CompletableFuture.failedFuture(e);
    }
    return sent.handle((response, failure) -> {
      permits.release();
      if (failure != null) {
        throw failure instanceof java.util.concurrent.CompletionException ce
            ? ce : new java.util.concurrent.CompletionException(failure);
      }
      return new UpstreamResponse(
          response.statusCode(), response.body(), response.headers().firstValue("Retry-After").orElse(null));
    });
  }

  /** Requests in flight to a provider from this node. */
  public int inFlight(ProviderConfig provider) {
    Semaphore s = inFlight.get(provider.id());
    int limit = provider.maxConcurrency() > 0 ? provider.maxConcurrency() : defaultMaxConcurrency;
    return s == null ? 0 : limit - s.availablePermits();
  }
}
