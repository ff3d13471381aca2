package io.riata.core.engine;

import io.riata.core.config.ProviderConfig;
import io.riata.core.failover.MethodDeadlines;
import io.riata.core.failover.OutcomeKind;
import io.riata.core.jsonrpc.JsonRpcRequest;
import io.riata.core.jsonrpc.UpstreamReply;
import io.riata.core.metrics.LatencyTracker;
import io.riata.core.metrics.ProviderCounters;
import io.riata.core.rollup.RollupRecorder;
import io.riata.core.selection.HeadView;
import io.riata.core.selection.Selection;
import io.riata.core.selection.Selector;
import io.riata.core.selection.Strategies;
import io.riata.core.selection.Strategy;
import io.riata.core.selection.StrategyName;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the engine itself costs per request, without any wire (JMH; run by
 * {@code deploy/bench/engine.sh}, numbers in docs/benchmarks.md): selection from a snapshot of
 * three healthy providers, taking and giving back a concurrency permit, and a whole request
 * through {@link RequestEngine#execute} with a transport that answers at once (selection,
 * admission, one attempt, classification, recording for the breaker, the latency tracker and
 * the dashboard).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EngineBench {

  /** Strategies that order differently: a fixed order, a rotation, and a latency ranking. */
  @Param({"priority", "round-robin", "fastest"})
  public String strategy;

  private ChainContext chain;
  private Strategy order;
  private RequestEngine engine;
  private final Selection reused = new Selection();
  private ProviderConfig first;
  private ConcurrencyLimiter limiter;
  private JsonRpcRequest request;
  private final NoWire wire = new NoWire();
  private Outcome<Object> last;
  private final Completion<Object> done = outcome -> last = outcome;

  @Setup
  public void setUp() {
    chain = new CountingChain(TestChain.of("alchemy", "infura", "own-node"));
    order = Strategies.create(StrategyName.parse(strategy).orElseThrow());
    limiter = new ConcurrencyLimiter(ConcurrencyLimiter.Settings.fixed(256));
    first = chain.config().providers().get(0);
    engine = new RequestEngine(new MethodDeadlines(Map.of("eth_call", Duration.ofSeconds(5)), Duration.ofSeconds(2)),
        3, limiter, RetryBudget.Settings.UNLIMITED, HedgePolicy.NONE, NodeAdmission.UNBOUNDED, List.of(Shortcut.CHAIN_ID), PathTimer.NONE,
        EngineClock.SYSTEM);
    request = JsonRpcRequest.build("1", "eth_getBalance", "[\"0x00000000219ab540356cbb839cbe05303d7705fa\",\"latest\"]")
        .request();
  }

  @Benchmark
  public Selection selection() {
    return Selector.select(chain.config(), chain.snapshot(), chain.breakers(), chain.latency(), order,
        request.method(), -1, HeadView.SNAPSHOT, null, 0, reused);
  }

  @Benchmark
  public boolean admission() {
    ProviderLimiter.Permit permit = limiter.tryAcquire(first);
    permit.release(OutcomeKind.SUCCESS, 0, 0);
    return permit != null;
  }

  @Benchmark
  public Outcome<Object> oneAttempt() {
    engine.execute(chain, order, null, request, "payload", wire, done);
    return last;
  }

  /**
   * The test chain's configuration and snapshot, recording as a node does: outcome counters per
   * provider, the latency tracker and the dashboard's rollup, all lock-free.
   */
  static final class CountingChain implements ChainContext {
    private final TestChain chain;
    private final Map<String, ProviderCounters> counters = new java.util.HashMap<>();
    private final LatencyTracker latency = new LatencyTracker();
    private final RollupRecorder rollup = new RollupRecorder(64, 20);
    private final io.riata.core.selection.BreakerView breakers;

    CountingChain(TestChain chain) {
      this.chain = chain;
      this.breakers = chain.breakers();
      for (ProviderConfig p : chain.config().providers()) {
        counters.put(p.id(), new ProviderCounters(p.id()));
      }
    }

    @Override
    public io.riata.core.config.ChainConfig config() {
      return chain.config();
    }

    @Override
    public io.riata.core.selection.ChainSnapshot snapshot() {
      return chain.snapshot();
    }

    @Override
    public io.riata.core.selection.BreakerView breakers() {
      return breakers;
    }

    @Override
    public io.riata.core.health.ServedHead servedHead() {
      return chain.servedHead();
    }

    @Override
    public io.riata.core.selection.LatencyView latency() {
      return latency;
    }

    @Override
    public RollupRecorder rollup() {
      return rollup;
    }

    @Override
    public void recordAttempt(String providerId, String method, OutcomeKind kind, String reason, long nanos,
                              long rateLimitedUntilMillis) {
      counters.get(providerId).record(kind, reason, rateLimitedUntilMillis);
      if (kind.settles()) {
        latency.record(providerId, method, nanos);
      }
      rollup.attempt(providerId, method, kind, nanos);
    }
  }

  /** A transport whose every provider answers at once with a result, as if the wire cost nothing. */
  static final class NoWire implements Transport<String, Object> {
    private static final Object BODY = new Object();
    private static final UpstreamReply RESULT = new UpstreamReply(true, true, null, null);

    @Override
    public Cancellable send(ProviderConfig provider, String payload, long timeoutNanos, AttemptListener<Object> listener) {
      listener.onReply(200, null, BODY);
      return Cancellable.NONE;
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
      return Cancellable.NONE;
    }

    @Override
    public UpstreamReply inspect(Object body) {
      return RESULT;
    }

    @Override
    public long resultQuantity(Object body) {
      return -1;
    }

    @Override
    public void release(Object body) {
    }
  }
}
