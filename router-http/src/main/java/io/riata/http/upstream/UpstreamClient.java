package io.riata.http.upstream;

import io.riata.core.config.ProviderConfig;
import io.riata.http.diag.PathTimings;
import io.riata.http.util.Stages;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import org.apache.pekko.stream.Materializer;

/**
 * Sends request bytes to providers as they came, over a pool of keep-alive HTTP/1.1 connections
 * per provider (Pekko HTTP's host connection pool: non-blocking, no thread per request), with a
 * bound on requests in flight per provider and a timeout per attempt. Past the bound a request
 * fails at once with {@link ProviderSaturatedException} instead of queueing, so failover can move
 * it to a provider with room.
 *
 * <p>A request that times out keeps its permit until the connection really answers or is closed
 * by the pool's idle timeout, so a provider that hangs cannot absorb more than its bound.
 */
public final class UpstreamClient {

  private final Http http;
  private final ActorSystem system;
  private final Materializer materializer;
  private final Duration connectTimeout;
  private final int defaultMaxConcurrency;
  private final long maxResponseBytes;
  private final Duration idleTimeout;
  private final Map<String, Semaphore> inFlight = new ConcurrentHashMap<>();
  private final Map<String, ConnectionPoolSettings> pools = new ConcurrentHashMap<>();
  private final Map<String, List<HttpHeader>> headers = new ConcurrentHashMap<>();
  private final PathTimings timings;

  public UpstreamClient(ActorSystem system, Duration connectTimeout, int defaultMaxConcurrency,
                        long maxResponseBytes, Duration idleTimeout, PathTimings timings) {
    this.system = system;
    this.timings = timings;
    this.http = Http.get(system);
    this.materializer = Materializer.matFromSystem(system);
    this.connectTimeout = connectTimeout;
    this.defaultMaxConcurrency = defaultMaxConcurrency;
    this.maxResponseBytes = maxResponseBytes;
    this.idleTimeout = idleTimeout;
  }

  /**
   * POSTs {@code body} to the provider. The future fails with a {@code TimeoutException} when
   * {@code timeout} passes, or with the transport's exception (refused, reset, ...).
   */
  public CompletableFuture<UpstreamResponse> post(ProviderConfig provider, byte[] body, Duration timeout) {
    boolean timed = timings.sample();
    long admitting = timed ? System.nanoTime() : 0;
    int limit = limit(provider);
    Semaphore permits = inFlight.computeIfAbsent(provider.id(), id -> new Semaphore(limit));
    boolean admitted = permits.tryAcquire();
    if (timed) {
      timings.admission(System.nanoTime() - admitting);
    }
    if (!admitted) {
      return CompletableFuture.failedFuture(new ProviderSaturatedException(provider.id(), limit));
    }
    HttpRequest request = HttpRequest.POST(provider.httpUrl().toString())
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body))
        .addHeaders(headers.computeIfAbsent(provider.id(), id -> rawHeaders(provider)));
    CompletableFuture<UpstreamResponse> answered;
    try {
      answered = Stages.plain(http.singleRequest(request, http.defaultClientHttpsContext(), pool(provider), system.log()))
          .thenCompose(response -> read(response, timeout));
    } catch (RuntimeException e) {
      permits.release();
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<UpstreamResponse> result = new CompletableFuture<>();
    answered.whenComplete((response, failure) -> {
      permits.release();
      if (failure != null) {
        result.completeExceptionally(failure);
      } else {
        result.complete(response);
      }
    });
    return result.orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  private java.util.concurrent.CompletionStage<UpstreamResponse> read(HttpResponse response, Duration timeout) {
    String retryAfter = response.getHeader("Retry-After").map(HttpHeader::value).orElse(null);
    int status = response.status().intValue();
    return Stages.plain(response.entity().toStrict(Math.max(1, timeout.toMillis()), maxResponseBytes, materializer))
        .thenApply(strict -> new UpstreamResponse(status, strict.getData().toArray(), retryAfter));
  }

  private ConnectionPoolSettings pool(ProviderConfig provider) {
    return pools.computeIfAbsent(provider.id(), id -> {
      int connections = limit(provider);
      ConnectionPoolSettings defaults = ConnectionPoolSettings.create(system);
      ClientConnectionSettings connection = defaults.getConnectionSettings()
          .withConnectingTimeout(connectTimeout)
          .withIdleTimeout(idleTimeout);
      return defaults
          .withMaxConnections(connections)
          .withMinConnections(0)
          .withMaxOpenRequests(Integer.highestOneBit(Math.max(2, connections) * 2 - 1) * 2)
          .withMaxRetries(0)
          .withConnectionSettings(connection);
    });
  }

  private static List<HttpHeader> rawHeaders(ProviderConfig provider) {
    List<HttpHeader> list = new ArrayList<>();
    provider.headers().forEach((name, value) -> list.add(RawHeader.create(name, value)));
    return List.copyOf(list);
  }

  private int limit(ProviderConfig provider) {
    return provider.maxConcurrency() > 0 ? provider.maxConcurrency() : defaultMaxConcurrency;
  }

  /** Where this node's selection, admission and attempt times are counted (admin diagnostics). */
  public PathTimings timings() {
    return timings;
  }

  /** Requests in flight to a provider from this node. */
  public int inFlight(ProviderConfig provider) {
    Semaphore s = inFlight.get(provider.id());
    return s == null ? 0 : limit(provider) - s.availablePermits();
  }
}
