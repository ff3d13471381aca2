package io.riata.http.rpc;

import io.riata.cluster.node.ChainRuntime;
import io.riata.core.config.ChainConfig;
import io.riata.core.config.ProviderConfig;
import io.riata.core.failover.Classification;
import io.riata.core.failover.ErrorClassifier;
import io.riata.core.failover.MethodDeadlines;
import io.riata.core.failover.OutcomeKind;
import io.riata.core.jsonrpc.BlockParam;
import io.riata.core.jsonrpc.JsonRpcCodec;
import io.riata.core.jsonrpc.JsonRpcErrors;
import io.riata.core.jsonrpc.JsonRpcRequest;
import io.riata.core.jsonrpc.UpstreamReply;
import io.riata.core.jsonrpc.ReplyInspector;
import io.riata.core.rollup.Decision;
import io.riata.core.rollup.RollupRecorder;
import io.riata.core.selection.Selection;
import io.riata.core.selection.Selector;
import io.riata.core.selection.Strategy;
import io.riata.http.diag.PathTimings;
import io.riata.http.upstream.ProviderSaturatedException;
import io.riata.http.upstream.UpstreamClient;
import io.riata.http.upstream.UpstreamResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * One request through the router: select candidates from the node-local snapshot, try them in
 * order until one answers in a way that settles the request, within the method's deadline and the
 * attempt limit, never the same provider twice. Records every attempt in the chain's lock-free
 * counters; sends no message and takes no lock.
 */
public final class FailoverExecutor {

  /** One try against one provider. */
  public record Attempt(String providerId, String reason, long nanos) {}

  /**
   * The answer to return.
   *
   * @param providerId the provider whose answer this is, or {@code null} when Riata answered
   */
  public record Outcome(byte[] body, String providerId, List<Attempt> attempts) {}

  private final UpstreamClient client;
  private final MethodDeadlines deadlines;
  private final int maxAttempts;
  private final PathTimings timings;

  public FailoverExecutor(UpstreamClient client, MethodDeadlines deadlines, int maxAttempts) {
    this.client = client;
    this.timings = client.timings();
    this.deadlines = deadlines;
    this.maxAttempts = maxAttempts;
  }

  public CompletableFuture<Outcome> execute(
      ChainRuntime chain, Strategy strategy, Predicate<ProviderConfig> allowed, JsonRpcRequest request) {
    ChainConfig config = chain.config();
    long startedNanos = System.nanoTime();
    if ("eth_chainId".equals(request.method())) {
      byte[] body = JsonRpcCodec.resultResponse(request.idJson(), JsonRpcCodec.quote(config.chainIdHex()));
      answeredByRiata(chain, request, startedNanos, "LOCAL", "answered from configuration");
      return CompletableFuture.completedFuture(new Outcome(body, null, List.of()));
    }
    long requestedBlock = BlockParam.requestedBlock(request.method(), request.params());
    boolean timed = timings.sample();
    long selecting = timed ? System.nanoTime() : 0;
    Selection selection = Selector.select(
        config, chain.snapshot(), chain.breakers(), chain.latency(), strategy, request.method(),
        requestedBlock, allowed, System.currentTimeMillis());
    if (timed) {
      timings.selection(System.nanoTime() - selecting);
    }
    if (selection.isEmpty()) {
      byte[] body = JsonRpcCodec.errorResponse(
          request.idJson() == null ? "null" : request.idJson(),
          JsonRpcErrors.NO_PROVIDER_AVAILABLE,
          "no provider available for " + request.method() + " on " + config.name(),
          "{\"excluded\":" + JsonRpcCodec.quote(selection.describeExclusions()) + "}");
      answeredByRiata(chain, request, startedNanos, "NO_PROVIDER", null);
      return CompletableFuture.completedFuture(new Outcome(body, null, List.of()));
    }
    Run run = new Run(chain, strategy, request, selection, startedNanos,
        startedNanos + deadlines.deadline(request.method()).toNanos());
    run.next();
    return run.result;
  }

  /** Counts a request Riata answered without a provider, for the dashboard. */
  private static void answeredByRiata(ChainRuntime chain, JsonRpcRequest request, long startedNanos,
                                      String outcome, String why) {
    RollupRecorder rollup = chain.rollup();
    boolean unanswered = !"LOCAL".equals(outcome);
    rollup.request(RollupRecorder.RIATA, request.method(), 0, unanswered);
    if (rollup.wantsSample()) {
      rollup.sample(new Decision(System.currentTimeMillis(), chain.config().name(), RollupRecorder.RIATA,
          request.method(), outcome, (System.nanoTime() - startedNanos) / 1000, 0,
          why != null ? why : "no provider eligible"));
    }
  }

  /** The state of one request's failover; advanced from the completion of each attempt. */
  private final class Run {
    final ChainRuntime chain;
    final Strategy strategy;
    final JsonRpcRequest request;
    final Selection candidates;
    final long startedNanos;
    final long deadlineNanos;
    final List<Attempt> attempts = new ArrayList<>(2);
    final CompletableFuture<Outcome> result = new CompletableFuture<>();
    int index;
    /**
     * The last JSON-RPC error a provider answered with. When every attempt fails it goes back to
     * the caller: "method not available" or "header not found" says more than Riata's -32050.
     */
    byte[] lastErrorReply;
    String lastErrorBy;

    Run(ChainRuntime chain, Strategy strategy, JsonRpcRequest request, Selection candidates, long startedNanos,
        long deadlineNanos) {
      this.chain = chain;
      this.strategy = strategy;
      this.request = request;
      this.candidates = candidates;
      this.startedNanos = startedNanos;
      this.deadlineNanos = deadlineNanos;
    }

    /** Answers the caller and counts the request in the dashboard rollup (never a message). */
    void finish(Outcome outcome, String lastOutcome) {
      RollupRecorder rollup = chain.rollup();
      String provider = outcome.providerId() != null ? outcome.providerId() : RollupRecorder.RIATA;
      rollup.request(provider, request.method(), attempts.size(), outcome.providerId() == null);
      if (rollup.wantsSample()) {
        rollup.sample(new Decision(System.currentTimeMillis(), chain.config().name(), provider, request.method(),
            outcome.providerId() == null ? "NO_PROVIDER" : lastOutcome,
            (System.nanoTime() - startedNanos) / 1000, attempts.size(), reason()));
      }
      result.complete(outcome);
    }

    private String reason() {
      if (attempts.size() <= 1) {
        return "first choice (" + strategy.name().id() + ")";
      }
      StringBuilder why = new StringBuilder("failover:");
      for (int i = 0; i < attempts.size() - 1; i++) {
        Attempt a = attempts.get(i);
        why.append(i == 0 ? " " : "; ").append(a.providerId()).append(' ').append(a.reason());
      }
      return why.toString();
    }

    void next() {
      long remaining = deadlineNanos - System.nanoTime();
      if (index >= candidates.size() || attempts.size() >= maxAttempts || remaining <= 0) {
        if (lastErrorReply != null) {
          finish(new Outcome(lastErrorReply, lastErrorBy, List.copyOf(attempts)), "ERROR_REPLY");
        } else {
          finish(new Outcome(allFailed(remaining <= 0), null, List.copyOf(attempts)), "NO_PROVIDER");
        }
        return;
      }
      ProviderConfig provider = candidates.get(index++);
      // The deadline is shared by the attempts still possible, so a provider that hangs costs
      // its share and not the whole request.
      int attemptsLeft = Math.min(maxAttempts - attempts.size(), candidates.size() - index + 1);
      Duration timeout = Duration.ofNanos(remaining / Math.max(1, attemptsLeft));
      if (provider.requestTimeout() != null && provider.requestTimeout().compareTo(timeout) < 0) {
        timeout = provider.requestTimeout();
      }
      long started = System.nanoTime();
      client.post(provider, request.raw(), timeout)
          .whenComplete((response, failure) -> settle(provider, started, response, failure));
    }

    private void settle(ProviderConfig provider, long started, UpstreamResponse response, Throwable failure) {
      long nanos = System.nanoTime() - started;
      Classification verdict;
      if (failure != null && cause(failure) instanceof ProviderSaturatedException) {
        // Nothing was sent: not the provider's fault, so nothing is recorded against it.
        attempts.add(new Attempt(provider.id(), "saturated", nanos));
        next();
        return;
      }
      if (timings.sample()) {
        timings.attempt(nanos);
      }
      if (failure != null) {
        Throwable cause = cause(failure);
        verdict = ErrorClassifier.classifyTransportFailure(cause, cause instanceof TimeoutException);
      } else if (request.isNotification() && response.status() / 100 == 2) {
        verdict = Classification.success(); // a notification has no answer to inspect
      } else {
        UpstreamReply reply = ReplyInspector.inspect(response.body());
        verdict = ErrorClassifier.classifyReply(
            request.method(), response.status(), response.retryAfter(), reply.wellFormed(),
            reply.hasResult(), reply.errorCode(), reply.errorMessage());
        if (reply.wellFormed() && !reply.hasResult()) {
          lastErrorReply = response.body();
          lastErrorBy = provider.id();
        }
      }
      long coolDownUntil = 0;
      if (verdict.kind() == OutcomeKind.RATE_LIMITED) {
        Duration wait = verdict.retryAfter() != null ? verdict.retryAfter() : Duration.ofSeconds(1);
        coolDownUntil = System.currentTimeMillis() + wait.toMillis();
      }
      chain.recordAttempt(provider.id(), request.method(), verdict.kind(), verdict.reason(), nanos, coolDownUntil);
      attempts.add(new Attempt(provider.id(), verdict.reason(), nanos));
      if (verdict.kind().settles()) {
        finish(new Outcome(response.body(), provider.id(), List.copyOf(attempts)), verdict.kind().name());
      } else if (ErrorClassifier.mayRetry(request.method(), verdict)) {
        next();
      } else if (response != null) {
        // Not safe to try elsewhere (a write that may have landed): the provider's answer stands.
        finish(new Outcome(response.body(), provider.id(), List.copyOf(attempts)), verdict.kind().name());
      } else {
        // A write whose fate is unknown: say so, never an earlier provider's unrelated error.
        finish(new Outcome(allFailed(false), null, List.copyOf(attempts)), "NO_PROVIDER");
      }
    }

    private static Throwable cause(Throwable failure) {
      return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    private byte[] allFailed(boolean deadlineReached) {
      StringBuilder data = new StringBuilder("{\"attempts\":[");
      for (int i = 0; i < attempts.size(); i++) {
        Attempt a = attempts.get(i);
        if (i > 0) {
          data.append(',');
        }
        data.append("{\"provider\":").append(JsonRpcCodec.quote(a.providerId()))
            .append(",\"reason\":").append(JsonRpcCodec.quote(a.reason()))
            .append(",\"ms\":").append(a.nanos() / 1_000_000).append('}');
      }
      data.append("]}");
      String message = deadlineReached && attempts.isEmpty()
          ? "deadline reached before any provider answered"
          : "all " + attempts.size() + " attempts failed" + (deadlineReached ? " (deadline reached)" : "");
      return JsonRpcCodec.errorResponse(
          request.idJson() == null ? "null" : request.idJson(),
          JsonRpcErrors.ALL_PROVIDERS_FAILED, message, data.toString());
    }
  }
}
