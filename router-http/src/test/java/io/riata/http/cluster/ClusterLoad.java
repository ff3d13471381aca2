package io.riata.http.cluster;

import io.riata.http.ReadTally;
import io.riata.http.TestNodes;
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
import java.util.function.Supplier;

/**
 * Steady reads spread over several nodes, like clients behind a load balancer: each client thread
 * sends {@code eth_getBalance} to the next node in turn. Bounded by a maximum run time. Every read
 * sent is scored in {@link #reads} (an exception, a timeout, a non-200, a body that is not JSON,
 * no result or a wrong id is a failure), and a thread goes on sending after a failure.
 */
final class ClusterLoad implements AutoCloseable {

  /** One attempt a node made against a provider, with when the answer came back. */
  record Attempt(String node, String provider, boolean failed, long atNanos) {}

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  final ReadTally reads = new ReadTally();
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
          if (nodes.isEmpty()) {
            reads.read("no node", id, () -> {
              throw new IllegalStateException("no node to send to");
            });
            sleepBriefly();
            continue;
          }
          send(nodes.get(id % nodes.size()), chain, id);
        }
      }, "cluster-load-" + t);
      thread.setUncaughtExceptionHandler((th, e) -> reads.threadDied(th.getName(), e));
      threads.add(thread);
      thread.start();
    }
  }

  private static void sleepBriefly() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void send(RiataProcess node, String chain, int id) {
    String body = TestNodes.call("eth_getBalance", String.format("[\"0x%040x\",\"latest\"]", id), id);
    HttpResponse<String> r = reads.read(node.name, id, () -> HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + "/rpc/" + chain))
            .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
    if (r == null) {
      return;
    }
    long now = System.nanoTime();
    r.headers().firstValue("X-Riata-Attempt-Log").ifPresent(log -> {
      for (String entry : log.split(", ")) {
        int eq = entry.indexOf('=');
        if (eq > 0) {
          attempts.add(new Attempt(node.name, entry.substring(0, eq), !entry.endsWith("=ok"), now));
        }
      }
    });
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread t : threads) {
      t.join(15_000);
      if (t.isAlive()) {
        reads.failures.add(t.getName() + " still waiting for an answer 15 s after the load stopped");
      }
    }
  }
}
