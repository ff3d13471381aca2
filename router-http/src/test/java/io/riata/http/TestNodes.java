package io.riata.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.riata.cluster.RiataConfig;
import io.riata.core.config.ChainConfig;
import io.riata.core.config.ChainsConfig;
import io.riata.core.config.ProfileConfig;
import io.riata.core.config.ProviderConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/** Builds chains and Riata nodes for HTTP integration tests, and talks to them. */
public final class TestNodes {

  public static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2))
      .build();

  private TestNodes() {}

  public static ProviderConfig provider(String id, URI url, int priority) {
    return new ProviderConfig(id, url, null, priority, 1, false, Set.of(), Set.of(), null, Map.of(), 64);
  }

  public static ChainConfig chain(String name, long chainId, String strategy, List<ProviderConfig> providers) {
    return new ChainConfig(name, chainId, Duration.ofMillis(500), 3, strategy, 128, providers);
  }

  /** One chain served by one provider (priority strategy), as most single-node ITs start. */
  public static ChainsConfig oneProvider(String chain, long chainId, String providerId, URI url) {
    return config(List.of(chain(chain, chainId, "priority", List.of(provider(providerId, url, 1)))), List.of());
  }

  public static ChainsConfig config(List<ChainConfig> chains, List<ProfileConfig> profiles) {
    Map<String, ChainConfig> byName = new LinkedHashMap<>();
    chains.forEach(c -> byName.put(c.name(), c));
    Map<String, ProfileConfig> profileMap = new LinkedHashMap<>();
    profiles.forEach(p -> profileMap.put(p.name(), p));
    return new ChainsConfig("test", byName, profileMap);
  }

  /** A node on ephemeral ports (RPC and operator) with fast breakers, plus {@code overrides} (HOCON). */
  public static RiataServer start(ChainsConfig chains, String overrides) {
    return start(chains, null, overrides);
  }

  /** Like {@link #start(ChainsConfig, String)}, remembering the file the chains came from (admin reload). */
  public static RiataServer start(ChainsConfig chains, java.nio.file.Path chainsFile, String overrides) {
    Config config = RiataConfig.load(ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.parseString("""
            riata.http.port = 0
            riata.http.admin.port = 0
            pekko.remote.artery.canonical.port = 0
            pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
            pekko.loglevel = WARNING
            pekko.coordinated-shutdown.exit-jvm = off
            riata.cluster.breaker.open-duration = 500ms
            riata.cluster.breaker.max-open-duration = 1s
            """)));
    RiataServer server = RiataServer.start(chains, chainsFile, config);
    try {
      if (!server.awaitReady(Duration.ofSeconds(20))) {
        server.close();
        throw new IllegalStateException("node not ready within 20 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return server;
  }

  public static HttpResponse<String> post(RiataServer server, String path, String body) {
    return send(request(server, path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  public static HttpResponse<String> get(RiataServer server, String path) {
    return send(request(server, path).GET().build());
  }

  /** A GET on the node's operator port (dashboard, metrics, admin API, health). */
  public static HttpResponse<String> getOps(RiataServer server, String path) {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.operatorPort() + path))
        .timeout(Duration.ofSeconds(10)).GET().build());
  }

  private static HttpRequest.Builder request(RiataServer server, String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).timeout(Duration.ofSeconds(10));
  }

  private static HttpResponse<String> send(HttpRequest request) {
    try {
      return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + text, e);
    }
  }

  /**
   * Waits up to 20 s (the scrape text is rendered every 5 s) until one series in the node's
   * {@code /metrics} (e.g. {@code riata_hedges_total} or {@code riata_upstream_sockets{chain="x"}})
   * is at least {@code atLeast}, and fails saying what it was otherwise. Kamon is one per JVM, so
   * nodes in one test JVM add to the same counters.
   */
  public static void awaitMetric(RiataServer server, String series, double atLeast) throws InterruptedException {
    double[] value = {-1};
    boolean reached = within(Duration.ofSeconds(20), () -> {
      value[0] = getOps(server, "/metrics").body().lines()
          .filter(l -> l.startsWith(series + " ") || l.startsWith(series + "{") && !series.contains("{"))
          .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
          .max().orElse(-1);
      return value[0] >= atLeast;
    });
    if (!reached) {
      throw new AssertionError(series + " stayed at " + value[0] + " (-1: absent); expected at least " + atLeast);
    }
  }

  /** Whether {@code condition} holds within {@code limit}, asked every 20 ms. */
  public static boolean within(Duration limit, BooleanSupplier condition) throws InterruptedException {
    for (long until = System.nanoTime() + limit.toNanos(); System.nanoTime() < until; Thread.sleep(20)) {
      if (condition.getAsBoolean()) {
        return true;
      }
    }
    return condition.getAsBoolean();
  }

  public static String call(String method, String params, int id) {
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}";
  }
}
