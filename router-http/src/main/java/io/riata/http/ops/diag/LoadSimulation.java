package io.riata.http.ops.diag;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.riata.core.jsonrpc.JsonRpcCodec;
import io.riata.core.jsonrpc.JsonRpcRequest;
import io.riata.core.jsonrpc.Parsed;
import io.riata.core.jsonrpc.ReplyInspector;
import io.riata.core.rollup.LatencyHistogram;
import io.riata.core.engine.Outcome;
import io.riata.http.data.EngineGateway;
import io.riata.http.data.RouteResolver;
import io.riata.http.data.RpcTarget;
import io.riata.http.Json;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A burst of one JSON-RPC request, sent through this node's own request engine: the
 * route resolution, selection, admission, upstream calls and failover that clients get, minus
 * the HTTP hop from a client. {@code concurrency} workers each send {@code requestsPerWorker}
 * requests one after the other. These are real requests to the real providers, counted against
 * their rate limits and shown on the dashboard like any other traffic.
 */
public final class LoadSimulation {

  public static final int MAX_CONCURRENCY = 256;
  public static final int MAX_REQUESTS = 100_000;

  private final RouteResolver resolver;
  private final EngineGateway gateway;
  private final AtomicBoolean running = new AtomicBoolean();

  public LoadSimulation(RouteResolver resolver, EngineGateway gateway) {
    this.resolver = resolver;
    this.gateway = gateway;
  }

  /** What to send; validated by {@link #run}. */
  public record Plan(String chain, int concurrency, int requestsPerWorker, String method, JsonNode params) {

    /** Reads {@code {"chain":..,"concurrency":..,"requestsPerWorker":..,"method":..,"params":[..]}}. */
    public static Plan parse(String body) {
      JsonNode json;
      try {
        json = Json.MAPPER.readTree(body);
      } catch (com.fasterxml.jackson.core.JacksonException e) {
        throw DiagnosticsException.badRequest("the body is not JSON: " + e.getOriginalMessage());
      }
      if (json == null || !json.isObject()) {
        throw DiagnosticsException.badRequest("the body must be a JSON object with chain, concurrency, requestsPerWorker");
      }
      if (!json.path("chain").isTextual()) {
        throw DiagnosticsException.badRequest("chain (a chain name or id, as text) is required");
      }
      JsonNode params = json.has("params") ? json.get("params") : Json.MAPPER.createArrayNode();
      if (!params.isArray() && !params.isObject()) {
        throw DiagnosticsException.badRequest("params must be an array or an object");
      }
      return new Plan(json.get("chain").asText(), integer(json, "concurrency", 8), integer(json, "requestsPerWorker", 100),
          json.path("method").asText("eth_blockNumber"), params);
    }

    private static int integer(JsonNode json, String field, int fallback) {
      JsonNode v = json.get(field);
      if (v == null) {
        return fallback;
      }
      if (!v.canConvertToInt() || !v.isIntegralNumber()) {
        throw DiagnosticsException.badRequest(field + " must be an integer, got " + v);
      }
      return v.asInt();
    }
  }

  /** Runs the plan; the report completes when the last request is answered. */
  public CompletionStage<ObjectNode> run(Plan plan) {
    if (plan.concurrency() < 1 || plan.concurrency() > MAX_CONCURRENCY) {
      throw DiagnosticsException.badRequest("concurrency must be 1.." + MAX_CONCURRENCY + ", got " + plan.concurrency());
    }
    if (plan.requestsPerWorker() < 1 || (long) plan.concurrency() * plan.requestsPerWorker() > MAX_REQUESTS) {
      throw DiagnosticsException.badRequest("requestsPerWorker must be at least 1 and concurrency x requestsPerWorker at most "
          + MAX_REQUESTS + ", got " + plan.concurrency() + " x " + plan.requestsPerWorker());
    }
    RouteResolver.Route resolved = resolver.resolve("/" + plan.chain());
    if (!(resolved instanceof RpcTarget target)) {
      throw new DiagnosticsException(404, "unknown-chain", "Unknown chain", "no chain " + plan.chain());
    }
    JsonRpcRequest.Built request = request(plan);
    if (!running.compareAndSet(false, true)) {
      throw DiagnosticsException.busy("a load simulation is running on this node; one at a time");
    }
    Run run = new Run(plan, target, request);
    run.start();
    return run.report.whenComplete((r, e) -> running.set(false));
  }

  private static JsonRpcRequest.Built request(Plan plan) {
    ObjectNode call = Json.MAPPER.createObjectNode();
    call.put("jsonrpc", "2.0");
    call.put("id", 1);
    call.put("method", plan.method());
    call.set("params", plan.params());
    byte[] raw;
    try {
      raw = Json.MAPPER.writeValueAsBytes(call);
    } catch (IOException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
    if (JsonRpcCodec.parse(raw) instanceof Parsed.Single single && single.item() instanceof Parsed.Request r) {
      return new JsonRpcRequest.Built(r.request(), raw);
    }
    throw DiagnosticsException.badRequest("method and params do not make a valid JSON-RPC request");
  }

  private static final int FAILURE_SAMPLES = 5;

  /** One failed request in a line: who answered, the answer's start, and the attempts. */
  private static String describe(Outcome<byte[]> outcome) {
    if (outcome == null) {
      return "no outcome (the request failed inside the node)";
    }
    byte[] bytes = outcome.body() != null ? outcome.body() : outcome.own();
    String text = bytes == null ? "" : new String(bytes, 0, Math.min(bytes.length, 200),
        java.nio.charset.StandardCharsets.UTF_8);
    String log = io.riata.http.data.RoutingHeaders.attemptLog(outcome.attempts());
    return (outcome.providerId() == null ? "riata" : outcome.providerId()) + ": " + text
        + (log == null ? "" : " [" + log + "]");
  }

  private final class Run {
    final Plan plan;
    final RpcTarget target;
    final JsonRpcRequest.Built request;
    final CompletableFuture<ObjectNode> report = new CompletableFuture<>();
    final AtomicLongArray latency = new AtomicLongArray(LatencyHistogram.BUCKETS);
    final AtomicLong maxNanos = new AtomicLong();
    final LongAdder failures = new LongAdder();
    /** The first few failures, as an operator needs them to see why. */
    final java.util.Queue<String> failureSamples = new java.util.concurrent.ConcurrentLinkedQueue<>();
    final Map<String, LongAdder> answeredBy = new ConcurrentHashMap<>();
    final AtomicInteger workersLeft;
    long startedNanos;

    Run(Plan plan, RpcTarget target, JsonRpcRequest.Built request) {
      this.plan = plan;
      this.target = target;
      this.request = request;
      this.workersLeft = new AtomicInteger(plan.concurrency());
    }

    void start() {
      startedNanos = System.nanoTime();
      for (int w = 0; w < plan.concurrency(); w++) {
        send(new int[] {plan.requestsPerWorker()});
      }
    }

    /** One worker's next requests; loops while answers come back at once instead of recursing. */
    void send(int[] left) {
      while (left[0] > 0) {
        left[0]--;
        long sent = System.nanoTime();
        CompletableFuture<Outcome<byte[]>> answer;
        try {
          answer = gateway.execute(target.chain(), target.strategy(), target.allowed(), request);
        } catch (RuntimeException e) {
          answer = CompletableFuture.failedFuture(e);
        }
        if (answer.isDone()) {
          record(sent, answer.handle((o, e) -> o).join());
          continue;
        }
        answer.whenComplete((o, e) -> {
          record(sent, o);
          send(left);
        });
        return;
      }
      if (workersLeft.decrementAndGet() == 0) {
        report.complete(report(System.nanoTime() - startedNanos));
      }
    }

    void record(long sent, Outcome<byte[]> outcome) {
      long nanos = System.nanoTime() - sent;
      latency.incrementAndGet(LatencyHistogram.bucketOf(nanos));
      maxNanos.accumulateAndGet(nanos, Math::max);
      if (outcome == null || outcome.providerId() == null || !ReplyInspector.inspect(outcome.body()).hasResult()) {
        failures.increment();
        if (failureSamples.size() < FAILURE_SAMPLES) {
          failureSamples.add(describe(outcome));
        }
      }
      String by = outcome == null || outcome.providerId() == null ? "riata" : outcome.providerId();
      answeredBy.computeIfAbsent(by, k -> new LongAdder()).increment();
    }

    ObjectNode report(long elapsedNanos) {
      long[] copy = new long[LatencyHistogram.BUCKETS];
      for (int i = 0; i < copy.length; i++) {
        copy[i] = latency.get(i);
      }
      LatencyHistogram h = new LatencyHistogram(copy);
      long requests = h.count();
      ObjectNode out = Json.MAPPER.createObjectNode();
      out.put("chain", target.chain().config().name());
      out.put("method", plan.method());
      out.put("strategy", target.strategy().name().id());
      out.put("concurrency", plan.concurrency());
      out.put("requestsPerWorker", plan.requestsPerWorker());
      out.put("requests", requests);
      out.put("failures", failures.sum());
      if (!failureSamples.isEmpty()) {
        var samples = out.putArray("failureSamples");
        failureSamples.forEach(samples::add);
      }
      out.put("elapsedMs", Math.round(elapsedNanos / 1e4) / 100.0);
      out.put("throughputPerSecond", Math.round(requests * 1e10 / Math.max(1, elapsedNanos)) / 10.0);
      ObjectNode lat = out.putObject("latencyMicros");
      double max = maxNanos.get() / 1000.0;
      // Percentiles are bucket midpoints (within 12.5 %), capped at the largest latency seen.
      lat.put("p50", Math.min(h.percentileMicros(0.50), max));
      lat.put("p95", Math.min(h.percentileMicros(0.95), max));
      lat.put("p99", Math.min(h.percentileMicros(0.99), max));
      lat.put("max", max);
      ObjectNode by = out.putObject("answeredBy");
      Map<String, LongAdder> sorted = new TreeMap<>(answeredBy);
      sorted.forEach((k, v) -> by.put(k, v.sum()));
      return out;
    }
  }
}
