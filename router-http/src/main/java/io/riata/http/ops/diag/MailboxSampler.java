package io.riata.http.ops.diag;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.riata.cluster.mailbox.MailboxMeters;
import io.riata.cluster.mailbox.MeteredMailbox.MeteredQueue;
import io.riata.http.Json;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Samples the depth of this node's metered mailboxes (the pool and breaker entities it hosts, and
 * the event aggregator when it runs here) over a window. The mean comes from the samples; the max
 * from the mailboxes' own peaks between samples, so a burst shorter than the interval still shows.
 * One window at a time: two would take each other's peaks.
 */
public final class MailboxSampler {

  public static final Duration INTERVAL = Duration.ofMillis(50);
  public static final Duration MAX_WINDOW = Duration.ofSeconds(60);

  private final ActorSystem<?> system;
  private final AtomicBoolean running = new AtomicBoolean();

  public MailboxSampler(ActorSystem<?> system) {
    this.system = system;
  }

  private static final class Series {
    final MeteredQueue queue;
    final long overflowsAtStart;
    long samples;
    long depthSum;
    int max;

    Series(MeteredQueue queue) {
      this.queue = queue;
      this.overflowsAtStart = queue.overflows();
    }
  }

  /** Samples for {@code window}; fails with a {@link DiagnosticsException} (409) while another window runs. */
  public CompletionStage<ObjectNode> sample(Duration window) {
    if (window.compareTo(INTERVAL) < 0 || window.compareTo(MAX_WINDOW) > 0) {
      throw DiagnosticsException.badRequest("window must be between " + INTERVAL.toMillis() + "ms and "
          + MAX_WINDOW.toSeconds() + "s, got " + window.toMillis() + "ms");
    }
    if (!running.compareAndSet(false, true)) {
      throw DiagnosticsException.busy("a mailbox window is being sampled already; try again when it ends");
    }
    MailboxMeters meters = MailboxMeters.get(system);
    Map<MeteredQueue, Series> series = new IdentityHashMap<>();
    for (MeteredQueue q : meters.queues()) {
      q.takePeak(); // the window's peaks start now
      series.put(q, new Series(q));
    }
    long ticks = Math.max(1, window.toMillis() / INTERVAL.toMillis());
    long startedNanos = System.nanoTime();
    CompletableFuture<ObjectNode> result = new CompletableFuture<>();
    long[] done = {0};
    Cancellable[] timer = new Cancellable[1];
    timer[0] = system.scheduler().scheduleAtFixedRate(INTERVAL, INTERVAL, () -> {
      synchronized (series) {
        if (result.isDone()) {
          return;
        }
        for (MeteredQueue q : meters.queues()) {
          Series s = series.computeIfAbsent(q, Series::new);
          int peak = q.takePeak();
          s.samples++;
          s.depthSum += q.depth();
          s.max = Math.max(s.max, peak);
        }
        if (++done[0] >= ticks) {
          timer[0].cancel();
          running.set(false);
          result.complete(report(series, System.nanoTime() - startedNanos));
        }
      }
    }, system.executionContext());
    return result;
  }

  private ObjectNode report(Map<MeteredQueue, Series> series, long elapsedNanos) {
    ObjectNode out = Json.MAPPER.createObjectNode();
    out.put("node", system.address().toString());
    out.put("scope", "this node's actors only");
    out.put("windowMs", elapsedNanos / 1_000_000);
    out.put("intervalMs", INTERVAL.toMillis());
    List<Series> sorted = new ArrayList<>(series.values());
    sorted.sort((a, b) -> a.queue.path().compareTo(b.queue.path()));
    ArrayNode list = out.putArray("mailboxes");
    for (Series s : sorted) {
      ObjectNode item = list.addObject();
      item.put("actor", s.queue.path());
      item.put("kind", kind(s.queue.path()));
      item.put("entity", entity(s.queue.path()));
      item.put("capacity", s.queue.capacity());
      item.put("samples", s.samples);
      item.put("meanDepth", s.samples == 0 ? 0 : Math.round(10.0 * s.depthSum / s.samples) / 10.0);
      item.put("maxDepth", s.max);
      item.put("overflows", s.queue.overflows() - s.overflowsAtStart);
      item.put("overflowsSinceStart", s.queue.overflows());
      item.put("highWaterSinceStart", s.queue.highWater());
    }
    return out;
  }

  static String kind(String path) {
    if (path.contains("/sharding/ProviderPool/")) {
      return "ProviderPool";
    }
    if (path.contains("/sharding/CircuitBreaker/")) {
      return "CircuitBreaker";
    }
    if (path.contains("riata-event-aggregator")) {
      return "EventAggregator";
    }
    return "other";
  }

  /** The entity id for a sharded entity (the path's last segment, URL-decoded), else null. */
  static String entity(String path) {
    if (!path.contains("/sharding/")) {
      return null;
    }
    return URLDecoder.decode(path.substring(path.lastIndexOf('/') + 1), StandardCharsets.UTF_8);
  }
}
