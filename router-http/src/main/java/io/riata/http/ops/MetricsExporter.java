package io.riata.http.ops;

import io.riata.cluster.node.ChainRuntime;
import io.riata.cluster.node.NodeRuntime;
import io.riata.core.breaker.BreakerPhase;
import io.riata.core.metrics.ProviderCounters;
import io.riata.core.selection.ProviderStatus;
import io.riata.http.dashboard.DashboardFeed;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import kamon.Kamon;
import kamon.prometheus.PrometheusReporter;
import kamon.tag.TagSet;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Prometheus metrics at {@code GET /metrics}, through Kamon. The request path is not touched: once
 * a second this reads the node's lock-free counters and latest snapshots and moves the change into
 * Kamon's instruments; Kamon renders the scrape text every {@code kamon.metric.tick-interval}.
 */
public final class MetricsExporter extends AllDirectives {

  private final NodeRuntime node;
  private final DashboardFeed dashboard;
  private final Map<String, long[]> lastCounts = new HashMap<>();
  private long lastDeadLetters;
  private long lastDropped;
  private long lastConflated;

  public MetricsExporter(NodeRuntime node, DashboardFeed dashboard) {
    this.node = node;
    this.dashboard = dashboard;
  }

  public Route route() {
    return get(() -> path("metrics", () -> extractRequest(r -> complete(scrape()))));
  }

  private HttpResponse scrape() {
    String text = PrometheusReporter.latestScrapeData().getOrElse(() -> "# no metrics yet: the first tick is pending\n");
    return HttpResponse.create().withEntity(
        ContentTypes.create(org.apache.pekko.http.javadsl.model.MediaTypes.TEXT_PLAIN, org.apache.pekko.http.javadsl.model.HttpCharsets.UTF_8),
        text.getBytes(StandardCharsets.UTF_8));
  }

  /** Moves what changed since the last call into Kamon. Called from one scheduler thread. */
  public void update() {
    long dead = node.deadLetters();
    Kamon.counter("riata.dead.letters", "messages not delivered, full bounded mailboxes among them")
        .withoutTags().increment(dead - lastDeadLetters);
    lastDeadLetters = dead;
    long dropped = node.droppedMessages();
    Kamon.counter("riata.dropped.messages", "messages dropped on purpose").withoutTags().increment(dropped - lastDropped);
    lastDropped = dropped;
    Kamon.gauge("riata.dashboard.subscribers", "WebSocket connections on /ws/dashboard on this node")
        .withoutTags().update(dashboard.subscriberCount());
    long conflated = dashboard.conflatedTotal();
    Kamon.counter("riata.dashboard.conflated", "rollups replaced by a newer one before a slow subscriber took them")
        .withoutTags().increment(conflated - lastConflated);
    lastConflated = conflated;
    for (ChainRuntime chain : node.chains()) {
      String chainName = chain.config().name();
      Kamon.gauge("riata.chain.head", "the chain head as the pool sees it")
          .withTag("chain", chainName).update(chain.snapshot().chainHead());
      for (ProviderCounters.Sample s : chain.samples()) {
        TagSet tags = TagSet.builder().add("chain", chainName).add("provider", s.providerId()).build();
        long[] last = lastCounts.computeIfAbsent(chainName + "/" + s.providerId(), k -> new long[4]);
        long[] now = {s.successes(), s.failures() - s.timeouts(), s.timeouts(), s.rateLimited()};
        String[] outcomes = {"healthy", "failed", "timeout", "rate_limited"};
        for (int i = 0; i < now.length; i++) {
          Kamon.counter("riata.provider.attempts", "attempts against a provider from this node, by outcome")
              .withTags(tags.withTag("outcome", outcomes[i])).increment(Math.max(0, now[i] - last[i]));
        }
        lastCounts.put(chainName + "/" + s.providerId(), now);
        ProviderStatus status = chain.snapshot().provider(s.providerId());
        if (status != null) {
          Kamon.gauge("riata.provider.lag.blocks", "blocks behind the chain head, -1 when unknown")
              .withTags(tags).update(status.lag());
          Kamon.gauge("riata.provider.breaker.state", "0 closed, 1 half-open, 2 open (as this node sees it)")
              .withTags(tags).update(code(chain.breakers().phase(s.providerId())));
        }
      }
    }
  }

  private static double code(BreakerPhase phase) {
    return switch (phase) {
      case CLOSED -> 0;
      case HALF_OPEN -> 1;
      case OPEN -> 2;
    };
  }
}
