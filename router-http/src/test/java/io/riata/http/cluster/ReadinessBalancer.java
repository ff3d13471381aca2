package io.riata.http.cluster;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What a load balancer does in front of Riata: polls every node's {@code /ready} and sends traffic
 * only to nodes that answered 200 at the last poll.
 */
final class ReadinessBalancer implements AutoCloseable {

  private final List<RiataProcess> nodes;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread poller;
  private volatile List<RiataProcess> healthy;

  ReadinessBalancer(List<RiataProcess> nodes, long pollMillis) {
    this.nodes = nodes;
    this.healthy = List.copyOf(nodes);
    this.poller = new Thread(() -> {
      while (running.get()) {
        List<RiataProcess> now = nodes.stream().filter(n -> n.alive() && n.readyStatus() == 200).toList();
        if (!now.isEmpty()) {
          healthy = now;
        }
        try {
          Thread.sleep(pollMillis);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "readiness-balancer");
    poller.setDaemon(true);
    poller.start();
  }

  List<RiataProcess> healthy() {
    return healthy;
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    poller.interrupt();
    poller.join(5000);
  }
}
