package io.riata.http.ops;

import io.riata.cluster.node.ChainRuntime;
import io.riata.cluster.node.NodeRuntime;
import io.riata.core.breaker.BreakerPhase;
import io.riata.core.config.ProviderConfig;
import io.riata.core.engine.BoundedAdmission;
import io.riata.core.engine.ConcurrencyLimiter;
import io.riata.core.engine.Dispatcher;
import io.riata.core.metrics.ProviderCounters;
import io.riata.core.rollup.ChainRollup;
import io.riata.core.rollup.LatencyHistogram;
import io.riata.core.rollup.MethodStats;
import io.riata.core.rollup.NodeRollup;
import io.riata.core.rollup.Outcomes;
import io.riata.core.rollup.ProviderRollup;
import io.riata.core.rollup.RetryCounts;
import io.riata.core.selection.ProviderStatus;
import io.riata.http.data.RpcServer;
import io.riata.http.data.subs.Subscriptions;
import io.riata.http.data.upstream.UpstreamClient;
import io.riata.http.ops.dashboard.DashboardFeed;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import kamon.Kamon;
import kamon.prometheus.PrometheusReporter;
import kamon.metric.MeasurementUnit;
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
  /** The last total each counter was brought up to, by name and tags: Kamon counters take increments. */
  private final Map<String, Long> lastTotals = new HashMap<>();
  private BoundedAdmission admission;
  private ConcurrencyLimiter limiter;
  private Dispatcher dispatcher;
  private UpstreamClient upstream;
  private OperatorConnections operatorPort;
  private RpcServer rpc;
  private Subscriptions subscriptions;

  public MetricsExporter(NodeRuntime node, DashboardFeed dashboard) {
    this.node = node;
    this.dashboard = dashboard;
  }

  /** Also exports the node's admission (requests in flight, refusals) and each chain's retry budget. */
  public void watchOverload(BoundedAdmission admission, ConcurrencyLimiter limiter, Dispatcher dispatcher,
                            UpstreamClient upstream) {
    this.admission = admission;
    this.limiter = limiter;
    this.dispatcher = dispatcher;
    this.upstream = upstream;
  }

  /** Also exports the operator port's connections and what its bounds turned away. */
  public void watchOperatorPort(OperatorConnections connections) {
    this.operatorPort = connections;
  }

  private void updateOperatorPort() {
    if (operatorPort == null) {
      return;
    }
    Kamon.gauge("riata.operator.connections", "HTTP connections open on the operator port (feed sockets not included)")
        .withoutTags().update(operatorPort.open());
    String name = OperatorConnections.REFUSED_METRIC;
    String description = OperatorConnections.REFUSED_DESCRIPTION;
    countTotal(name, description, TagSet.of("reason", "max-connections"), operatorPort.refused());
    countTotal(name, description, TagSet.of("reason", "header-timeout"), operatorPort.headTimeouts());
    countTotal(name, description, TagSet.of("reason", "body-timeout"), operatorPort.bodyTimeouts());
    countTotal("riata.dashboard.refused", "dashboard feed connections refused because the node had its maximum",
        TagSet.Empty(), dashboard.refusedTotal());
  }

  /** Also exports the RPC port's client and WebSocket connections, its read timeouts, and each chain's subscription sockets. */
  public void watchDataBounds(RpcServer rpc, Subscriptions subscriptions) {
    this.rpc = rpc;
    this.subscriptions = subscriptions;
  }

  private void updateDataBounds() {
    if (rpc == null) {
      return;
    }
    Kamon.gauge("riata.websocket.connections", "WebSocket connections open on this node's RPC port")
        .withoutTags().update(rpc.webSocketConnections());
    countTotal("riata.websocket.refused", "WebSocket connections closed with 1013 because the node had its maximum",
        TagSet.Empty(), rpc.webSocketsRefused());
    Kamon.gauge("riata.rpc.connections", "client connections open on this node's RPC port, HTTP and WebSocket")
        .withoutTags().update(rpc.connections());
    countTotal("riata.rpc.connections.refused", "connections answered with 503 and closed because the RPC port had"
        + " its maximum", TagSet.Empty(), rpc.connectionsRefused());
    countTotal("riata.rpc.read.timeouts", "requests answered with 408 because they arrived too slowly",
        TagSet.of("part", "headers"), rpc.headerTimeouts());
    countTotal("riata.rpc.read.timeouts", "requests answered with 408 because they arrived too slowly",
        TagSet.of("part", "body"), rpc.bodyTimeouts());
    Kamon.gauge("riata.event.loop.lag", "the most an event loop of the data plane ran late over the last second",
        MeasurementUnit.time().nanoseconds()).withoutTags().update(rpc.takeMostLoopLag());
    Kamon.gauge("riata.node.admitted.share", "share of new requests the event loop furthest behind admits "
        + "(riata.http.admission.loop-lag); 1 unless one is behind").withoutTags().update(rpc.admittedShare());
    countTotal("riata.node.requests.shed", "requests answered with 503 at intake because their event loop was behind",
        TagSet.Empty(), rpc.shedOnLag());
    for (ChainRuntime chain : node.chains()) {
      String name = chain.config().name();
      Kamon.gauge("riata.upstream.sockets", "subscription WebSockets open towards the chain's providers")
          .withTag("chain", name).update(subscriptions.upstreamSockets(name));
      countTotal("riata.logs.subscriptions.refused", "logs subscriptions refused because the chain had its maximum"
          + " of distinct filters", TagSet.of("chain", name), subscriptions.logsFeedsRefused(name));
    }
  }

  private void updateOverload() {
    if (admission == null) {
      return;
    }
    Kamon.gauge("riata.node.requests.in.flight", "requests in flight on this node (admission counts them)")
        .withoutTags().update(admission.inFlight());
    Kamon.gauge("riata.node.requests.limit", "requests in flight this node admits at most (riata.http.admission)")
        .withoutTags().update(admission.limit());
    countTotal("riata.node.requests.refused", "requests refused with 503 because the node was at its limit",
        TagSet.Empty(), admission.refused());
    countTotal("riata.batch.elements.deferred",
        "batch elements that waited for a place among their batch's requests in flight (max-batch-concurrency)",
        TagSet.Empty(), dispatcher.deferredBatchElements());
    countTotal("riata.replies.passed.through", "provider replies passed to their clients as they arrived instead of"
        + " being held whole (upstream.pass-through-above)", TagSet.Empty(), upstream.passedThrough());
    for (ChainRuntime chain : node.chains()) {
      TagSet tags = TagSet.of("chain", chain.config().name());
      for (ProviderConfig p : chain.config().providers()) {
        int limit = limiter.limit(p.id());
        if (limit < 0) {
          continue; // no attempt yet
        }
        TagSet pt = tags.withTag("provider", p.id());
        Kamon.gauge("riata.provider.concurrency.limit",
            "attempts this node lets be in flight to the provider now (adaptive, at most max_concurrency)")
            .withTags(pt).update(limit);
        Kamon.gauge("riata.provider.requests.in.flight", "attempts in flight from this node to the provider")
            .withTags(pt).update(limiter.inFlight(p.id()));
        countTotal("riata.provider.saturated", "attempts not sent to the provider because it was at its limit", pt,
            limiter.refused(p.id()));
      }
    }
  }

  /**
   * Brings a counter up to {@code total}, a running total kept elsewhere. The counter shows from
   * the first call, at 0 if nothing happened yet.
   */
  private void countTotal(String name, String description, TagSet tags, long total) {
    Long last = lastTotals.put(name + tags, total);
    Kamon.counter(name, description).withTags(tags).increment(Math.max(0, total - (last == null ? 0 : last)));
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
    countTotal("riata.dead.letters", "messages not delivered, full bounded mailboxes among them", TagSet.Empty(),
        node.deadLetters());
    countTotal("riata.dropped.messages", "messages dropped on purpose", TagSet.Empty(), node.droppedMessages());
    Kamon.gauge("riata.dashboard.subscribers", "WebSocket connections on /ws/dashboard on this node")
        .withoutTags().update(dashboard.subscriberCount());
    countTotal("riata.dashboard.conflated", "rollups replaced by a newer one before a slow subscriber took them",
        TagSet.Empty(), dashboard.conflatedTotal());
    updateOverload();
    updateOperatorPort();
    updateDataBounds();
    for (ChainRuntime chain : node.chains()) {
      String chainName = chain.config().name();
      Kamon.gauge("riata.chain.head", "the chain head as the pool sees it")
          .withTag("chain", chainName).update(chain.snapshot().chainHead());
      for (ProviderCounters.Sample s : chain.samples()) {
        TagSet tags = TagSet.builder().add("chain", chainName).add("provider", s.providerId()).build();
        ProviderStatus status = chain.snapshot().provider(s.providerId());
        if (status != null) {
          Kamon.gauge("riata.provider.lag.blocks", "blocks behind the chain head, -1 when unknown")
              .withTags(tags).update(status.lag());
          Kamon.gauge("riata.provider.breaker.state", "0 closed, 1 half-open, 2 open (as this node sees it)")
              .withTags(tags).update(code(chain.breakers().phase(s.providerId())));
          Kamon.gauge("riata.provider.drained", "1 while an operator has the provider drained")
              .withTags(tags).update(status.drained() ? 1 : 0);
          Kamon.gauge("riata.provider.rogue", "1 while the provider's head is too far ahead of the others' to be believed")
              .withTags(tags).update(status.rogue() ? 1 : 0);
          Kamon.gauge("riata.provider.safe.block", "the provider's safe block, -1 when unknown")
              .withTags(tags).update(status.safe());
          Kamon.gauge("riata.provider.finalized.block", "the provider's finalized block, -1 when unknown")
              .withTags(tags).update(status.finalized());
          Kamon.gauge("riata.provider.finality.went.back", "1 while the provider's finalized block is below one it reported before")
              .withTags(tags).update(status.finalizedWentBack() ? 1 : 0);
        }
      }
    }
    jvm();
  }

  private final Map<String, long[]> lastGc = new HashMap<>();

  /** The JVM's memory, collections and threads, from its management beans. */
  private void jvm() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    MemoryUsage[] usages = {memory.getHeapMemoryUsage(), memory.getNonHeapMemoryUsage()};
    String[] areas = {"heap", "nonheap"};
    for (int i = 0; i < 2; i++) {
      Kamon.gauge("jvm.memory.used", "memory in use", MeasurementUnit.information().bytes())
          .withTag("area", areas[i]).update(usages[i].getUsed());
      Kamon.gauge("jvm.memory.committed", "memory the JVM has from the system", MeasurementUnit.information().bytes())
          .withTag("area", areas[i]).update(usages[i].getCommitted());
    }
    Kamon.gauge("jvm.memory.max", "largest heap the JVM may grow to", MeasurementUnit.information().bytes())
        .withTag("area", "heap").update(usages[0].getMax());
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      long[] last = lastGc.computeIfAbsent(gc.getName(), k -> new long[2]);
      long count = gc.getCollectionCount();
      long millis = gc.getCollectionTime();
      Kamon.counter("jvm.gc.collections", "garbage collections").withTag("gc", gc.getName())
          .increment(Math.max(0, count - last[0]));
      Kamon.counter("jvm.gc.time", "time spent in garbage collections", MeasurementUnit.time().milliseconds())
          .withTag("gc", gc.getName()).increment(Math.max(0, millis - last[1]));
      last[0] = count;
      last[1] = millis;
    }
    Kamon.gauge("jvm.threads.live", "live threads").withoutTags().update(ManagementFactory.getThreadMXBean().getThreadCount());
  }

  /**
   * Adds one of this node's rollups (what it routed in the last interval) to the per-method
   * instruments. Called by the node's rollup reporter, once per interval, never per request.
   */
  public void record(NodeRollup rollup) {
    for (ChainRollup chain : rollup.chains()) {
      TagSet chainTags = TagSet.of("chain", chain.chain());
      RetryCounts retries = chain.retries();
      count("riata.retries.allowed", "retries and hedges the chain's retry budget let through", chainTags,
          retries.retries() + retries.hedges());
      count("riata.retries.denied", "retries and hedges not sent because the chain's retry budget was spent", chainTags,
          retries.retriesDenied());
      count("riata.hedges", "reads sent to a second provider while the first had not answered", chainTags, retries.hedges());
      count("riata.hedges.won", "reads answered by their hedge: the provider asked second answered first", chainTags,
          retries.hedgesWon());
      for (ProviderRollup provider : chain.providers()) {
        for (MethodStats m : provider.methods()) {
          TagSet tags = TagSet.builder().add("chain", chain.chain()).add("provider", provider.providerId())
              .add("method", m.method()).build();
          count("riata.requests", "requests answered, by the provider whose answer went back (riata: Riata's own)",
              tags, m.requests());
          count("riata.failovers", "requests answered after at least one other attempt failed", tags, m.failovers());
          count("riata.unanswered", "requests no provider could answer (Riata's own error went back)", tags, m.unanswered());
          Outcomes o = m.outcomes();
          long[] byOutcome = {o.success(), o.callerError(), o.unsupported(), o.rateLimited(), o.timeout(), o.retriable()};
          for (int i = 0; i < byOutcome.length; i++) {
            count("riata.attempts", "attempts against a provider, by how they ended", tags.withTag("outcome", OUTCOMES[i]),
                byOutcome[i]);
          }
          long[] buckets = m.latency().buckets();
          var histogram = Kamon.histogram("riata.attempt.duration", "duration of attempts against a provider",
              MeasurementUnit.time().nanoseconds()).withTags(tags);
          for (int b = 0; b < buckets.length; b++) {
            if (buckets[b] > 0) { // each bucket's attempts at its middle: within the bucket's 12.5 %
              long middleNanos = (LatencyHistogram.lowerMicros(b) + LatencyHistogram.upperMicros(b)) * 500L;
              histogram.record(middleNanos, buckets[b]);
            }
          }
        }
      }
    }
  }

  private static final String[] OUTCOMES = {"success", "caller_error", "unsupported", "rate_limited", "timeout", "retriable"};

  private static void count(String name, String description, TagSet tags, long delta) {
    if (delta > 0) {
      Kamon.counter(name, description).withTags(tags).increment(delta);
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
