package io.riata.http.data.subs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.riata.cluster.node.ChainRuntime;
import io.riata.core.breaker.BreakerPhase;
import io.riata.core.config.ProviderConfig;
import io.riata.core.selection.Strategies;
import io.riata.core.selection.Strategy;
import io.riata.core.selection.StrategyName;
import io.riata.core.jsonrpc.JsonRpcRequest;
import io.riata.http.data.EngineGateway;
import io.riata.http.data.upstream.UpstreamClient;
import io.riata.http.data.upstream.UpstreamSocket;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which provider the subscription feeds of one chain should listen to. Shared by the chain's heads
 * feed and its logs feeds, so a provider one feed found dead or stalled is passed over by the
 * others too (and a logs feed on it moves on, though logs alone cannot show a stall).
 */
final class FeedProviders {

  /** How long a provider whose feed ended or stalled is passed over. */
  static final Duration REST = Duration.ofSeconds(5);

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Strategy PRIORITY = Strategies.create(StrategyName.PRIORITY);

  private final ChainRuntime chain;
  private final EngineGateway gateway;
  private final UpstreamClient client;
  private final Map<String, Long> restingUntil = new ConcurrentHashMap<>();
  private final AtomicInteger openSockets = new AtomicInteger();

  FeedProviders(ChainRuntime chain, EngineGateway gateway, UpstreamClient client) {
    this.chain = chain;
    this.gateway = gateway;
    this.client = client;
  }

  /**
   * Subscribes on {@code provider} over its WebSocket ({@code paramsJson} is the
   * {@code eth_subscribe} params array); the listener hears from the socket's event loop.
   */
  UpstreamSocket subscribe(ProviderConfig provider, String paramsJson, UpstreamSocket.Listener listener) {
    openSockets.incrementAndGet();
    return client.openSocket(provider, paramsJson, new UpstreamSocket.Listener() {
      @Override
      public void onSubscribed(String upstreamId) {
        listener.onSubscribed(upstreamId);
      }

      @Override
      public void onNotification(JsonNode result) {
        listener.onNotification(result);
      }

      @Override
      public void onClosed(String reason) {
        openSockets.decrementAndGet(); // once per socket, whatever ended it
        listener.onClosed(reason);
      }
    });
  }

  /** Subscription sockets of this chain's feeds open (or opening) towards providers now. */
  int openSockets() {
    return openSockets.get();
  }

  /**
   * A JSON-RPC call over HTTP to one provider (the one a feed listens to, so that what it fetches
   * belongs to the chain it sees), completing with the answer's {@code result}; an error answer or
   * a failed attempt fails the future.
   */
  CompletableFuture<JsonNode> call(String providerId, String method, String paramsJson) {
    JsonRpcRequest.Built request = JsonRpcRequest.build("1", method, paramsJson);
    return gateway.execute(chain, PRIORITY, p -> p.id().equals(providerId), request)
        .thenApply(outcome -> {
          JsonNode answer;
          try {
            answer = MAPPER.readTree(outcome.body() != null ? outcome.body() : outcome.own());
          } catch (IOException e) {
            throw new IllegalStateException(method + " on " + providerId + ": unreadable answer");
          }
          if (!answer.has("result")) {
            throw new IllegalStateException(method + " on " + providerId + ": " + answer.path("error"));
          }
          return answer.get("result");
        });
  }

  ChainRuntime chain() {
    return chain;
  }

  /** The provider to subscribe to now: has a WebSocket URL, breaker not open, not resting; by priority. */
  Optional<ProviderConfig> next() {
    long now = System.nanoTime();
    return chain.config().providers().stream()
        .filter(p -> p.wsUrl() != null && usable(p.id(), now))
        .min(Comparator.comparingInt(ProviderConfig::priority));
  }

  /** Whether a feed on this provider should stay: its breaker is not open and nobody sent it to rest. */
  boolean usable(String providerId) {
    return usable(providerId, System.nanoTime());
  }

  private boolean usable(String providerId, long now) {
    Long until = restingUntil.get(providerId);
    return chain.breakers().phase(providerId) != BreakerPhase.OPEN && (until == null || now - until > 0);
  }

  void rest(String providerId) {
    restingUntil.put(providerId, System.nanoTime() + REST.toNanos());
  }
}
