package io.riata.http.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.riata.http.TestNodes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Steady reads spread over several nodes, like clients behind a load balancer: each client thread
 * sends {@code eth_getBalance} to the next node in turn. Bounded by a maximum run time.
 */
final class ClusterLoad implements AutoCloseable {

  /** One attempt a node made against a provider, with when the answer came back. */
  record Attempt(String node, String provider, boolean failed, long atNanos) {}

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  final AtomicLong ok = new AtomicLong();
  final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  final ConcurrentLinkedQueue<Attempt> attempts = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> threads = new ArrayList<>();

  ClusterLoad(Supplier<List<RiataProcess>> targets, String chain, int clients, Duration maxRun) {
    long stopAt = System.nanoTime() + maxRun.toNanos();
    AtomicInteger ids = new AtomicInteger();
    for (int t = 0; t < clients; t++) {
      Thread thread = new Thread(() -> {
        while (running.get() && System.nanoTime() < stopAt) {
          int id = ids.incrementAndGet();
          List<RiataProcess> nodes = targets.get();
          RiataProcess node = nodes.get(id % nodes.size());
          send(node, chain, id);
        }
      }, "cluster-load-" + t);
      threads.add(thread);
      thread.start();
    }
  }

  private void send(RiataProcess node, String chain, int id) {
    String body = TestNodes.call("eth_getBalance", String.format("[\"0x%040x\",\"latest\"]", id), id);
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + "/rpc/" + chain))
          .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
      long now = System.nanoTime();
      r.headers().firstValue("X-Riata-Attempt-Log").ifPresent(log -> {
        for (String entry : log.split(", ")) {
          int eq = entry.indexOf('=');
          if (eq > 0) {
            attempts.add(new Attempt(node.name, entry.substring(0, eq), !entry.endsWith("=ok"), now));
          }
        }
      });
      JsonNode json = TestNodes.json(r.body());
      if (r.statusCode() == 200 && json.has("result") && json.get("id").asInt() == id) {
        ok.incrementAndGet();
      } else {
        failures.add(node.name + ": " + r.statusCode() + " " + r.body());
      }
    } catch (IOException e) {
      failures.add(node.name + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread t : threads) {
      t.join(15_000);
    }
  }
}
