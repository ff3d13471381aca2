package io.riata.core.engine;

import io.riata.core.config.ProviderConfig;
import io.riata.core.failover.Classification;
import io.riata.core.failover.ErrorClassifier;
import io.riata.core.failover.MethodDeadlines;
import io.riata.core.failover.OutcomeKind;
import io.riata.core.health.ServedHead;
import io.riata.core.jsonrpc.BlockParam;
import io.riata.core.jsonrpc.JsonRpcCodec;
import io.riata.core.jsonrpc.JsonRpcErrors;
import io.riata.core.jsonrpc.JsonRpcRequest;
import io.riata.core.jsonrpc.UpstreamReply;
import io.riata.core.rollup.Decision;
import io.riata.core.rollup.RollupRecorder;
import io.riata.core.selection.Selection;
import io.riata.core.selection.Selector;
import io.riata.core.selection.Strategy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * One request through the router, whatever carries it: the shortcuts that may answer it here,
 * admission to the node, selection from the node-local snapshot, then attempts against the
 * candidates in order until one answer settles it, within the method's deadline and the attempt
 * limit, never the same provider twice. Reads may be hedged: a second attempt goes out while the
 * first is still in flight, the first good answer wins and the other is cancelled.
 *
 * <p>Everything for one request runs on the thread of its {@link Transport} (the transport
 * reports there too), so a request's state needs no lock and its steps no thread hop. The engine
 * itself is shared by all threads and keeps no per-request state of its own. It records every
 * attempt in the chain's lock-free counters, sends no message and takes no lock.
 */
public final class RequestEngine {

  private final MethodDeadlines deadlines;
  private final int maxAttempts;
  private static final String BLOCK_NUMBER = "eth_blockNumber";
  /**
   * A provider answered {@code null} for a block this node has served: it is behind (or lost the
   * block), not broken, so it counts as healthy for its breaker, like a method it does not offer.
   */
  /** Rounds over the candidates again when a served block was missing everywhere; see {@code Run.giveUp}. */
  private static final int MAX_BLOCK_WAITS = 3;
  /** Hedge delays, counted from its start, that a first attempt outrun by its hedge gets to answer anyway. */
  private static final int OUTRUN_GRACE = 4;
  private static final Classification BLOCK_NOT_FOUND =
      new Classification(OutcomeKind.UNSUPPORTED, "block not found", null, true);
  private final ProviderLimiter limiter;
  private final RetryBudget.Settings budgetSettings;
  private final ConcurrentHashMap<String, RetryBudget> budgets = new ConcurrentHashMap<>();
  private final HedgePolicy hedging;
  private final NodeAdmission admission;
  private final Shortcut[] shortcuts;
  private final PathTimer timer;
  private final EngineClock clock;

  /**
   * @param budget how many retries and hedges each chain may send, per first attempt; see
   *               {@link RetryBudget}
   */
  public RequestEngine(MethodDeadlines deadlines, int maxAttempts, ProviderLimiter limiter, RetryBudget.Settings budget,
                       HedgePolicy hedging, NodeAdmission admission, List<Shortcut> shortcuts, PathTimer timer,
                       EngineClock clock) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("max attempts must be at least 1, got " + maxAttempts);
    }
    this.deadlines = deadlines;
    this.maxAttempts = maxAttempts;
    this.limiter = limiter;
    this.budgetSettings = budget;
    this.hedging = hedging;
    this.admission = admission;
    this.shortcuts = shortcuts.toArray(new Shortcut[0]);
    this.timer = timer;
    this.clock = clock;
  }

  public ProviderLimiter limiter() {
    return limiter;
  }

  /** The retry budget of a chain (made on first use). */
  private RetryBudget retryBudget(String chain) {
    RetryBudget budget = budgets.get(chain);
    return budget != null ? budget : budgets.computeIfAbsent(chain, c -> new RetryBudget(budgetSettings));
  }

  /**
   * Answers {@code request}; {@code done} gets the outcome once, on the transport's thread (or on
   * the calling thread when Riata answers by itself).
   *
   * @param allowed the route's restriction (profile or pinned provider); {@code null} allows all
   * @param payload the request's bytes, sent as they are to each provider tried; still the
   *                caller's to release after {@code done} was called
   */
  public <P, B> void execute(ChainContext chain, Strategy strategy, Predicate<ProviderConfig> allowed,
                             JsonRpcRequest request, P payload, Transport<P, B> transport, Completion<B> done) {
    long startedNanos = clock.nanoTime();
    for (Shortcut shortcut : shortcuts) {
      Shortcut.Answer answer = shortcut.tryAnswer(chain, request);
      if (answer != null) {
        answeredByRiata(chain, request, startedNanos, "LOCAL", answer.why());
        done.complete(Outcome.own(answer.body(), List.of()));
        return;
      }
    }
    if (!admission.tryEnter()) {
      answeredByRiata(chain, request, startedNanos, "REFUSED", "node at its limit of requests in flight");
      done.complete(new Outcome<>(null, JsonRpcCodec.errorResponse(idOrNull(request), JsonRpcErrors.NODE_OVERLOADED,
          "this node is at its limit of requests in flight; try again shortly", null), null, List.of(), true));
      return;
    }
    long named = BlockParam.blockOrLatest(request.method(), request.params());
    long requestedBlock = named >= 0 ? named : BlockParam.NONE;
    // A read at "latest" goes, like one for the number, to a provider that has reached the head
    // this node served: a caller that saw block N from eth_blockNumber then reads at N or later.
    long selectBlock = named == BlockParam.LATEST ? chain.servedHead().served() : requestedBlock;
    boolean timed = timer.sample();
    long selecting = timed ? clock.nanoTime() : 0;
    Selection selection = Selector.select(chain.config(), chain.snapshot(), chain.breakers(), chain.latency(),
        strategy, request.method(), selectBlock, chain.servedHead(), allowed, clock.currentTimeMillis(),
        new Selection());
    if (timed) {
      timer.selection(clock.nanoTime() - selecting);
    }
    if (selection.isEmpty()) {
      admission.exit();
      byte[] body = JsonRpcCodec.errorResponse(idOrNull(request), JsonRpcErrors.NO_PROVIDER_AVAILABLE,
          "no provider available for " + request.method() + " on " + chain.config().name(),
          "{\"excluded\":" + JsonRpcCodec.quote(selection.describeExclusions()) + "}");
      answeredByRiata(chain, request, startedNanos, "NO_PROVIDER", null);
      done.complete(Outcome.own(body, List.of()));
      return;
    }
    new Run<>(chain, strategy, allowed, request, requestedBlock, selectBlock, payload, transport, done, selection,
        startedNanos, startedNanos + deadlines.deadline(request.method()).toNanos()).next();
  }

  /** A quarter of the chain's block time, within 10 ms .. 250 ms: how long a missing served block is waited for. */
  private static long blockWaitNanos(ChainContext chain) {
    long quarter = chain.config().blockTime().toNanos() / 4;
    return Math.max(10_000_000L, Math.min(250_000_000L, quarter));
  }

  private static String idOrNull(JsonRpcRequest request) {
    return request.idJson() == null ? "null" : request.idJson();
  }

  /** Counts a request Riata answered without a provider, for the dashboard. */
  private void answeredByRiata(ChainContext chain, JsonRpcRequest request, long startedNanos, String outcome,
                               String why) {
    RollupRecorder rollup = chain.rollup();
    rollup.request(RollupRecorder.RIATA, request.method(), 0, !"LOCAL".equals(outcome));
    if (rollup.wantsSample()) {
      rollup.sample(new Decision(clock.currentTimeMillis(), chain.config().name(), RollupRecorder.RIATA,
          request.method(), outcome, (clock.nanoTime() - startedNanos) / 1000, 0,
          why != null ? why : "no provider eligible"));
    }
  }

  /** One request's attempts; lives on the transport's thread from the first attempt to the outcome. */
  private final class Run<P, B> {
    final ChainContext chain;
    final Strategy strategy;
    final Predicate<ProviderConfig> allowed;
    final JsonRpcRequest request;
    /** The block number the request names, or {@link BlockParam#NONE}. */
    final long requestedBlock;
    /** The block selection asks providers to have: the one named, or the served head for {@code latest}. */
    final long selectBlock;
    final P payload;
    final Transport<P, B> transport;
    final Completion<B> done;
    final Selection candidates;
    final long startedNanos;
    final long deadlineNanos;
    final List<Attempt> attempts = new ArrayList<>(2);
    int index;
    boolean finished;
    /** Attempts in flight: at most two, and two only while a hedge races the first. */
    Call<B> first;
    Call<B> second;
    Cancellable hedgeTimer;
    /** The delay the hedge timer was armed with. */
    long hedgeDelayNanos;
    /** Whether the answer that settled the request came from a hedge. */
    boolean hedgeWon;
    /**
     * The last JSON-RPC error a provider answered with. When every attempt fails it goes back to
     * the caller: "method not available" or "header not found" says more than Riata's -32050.
     */
    B lastErrorReply;
    String lastErrorBy;
    /** Whether {@link #lastErrorReply} is a {@code null} for a block this node served. */
    boolean lastErrorIsMissingBlock;
    /** Rounds waited for a served block that no provider had yet; see {@link #giveUp}. */
    int blockWaits;
    /** Attempts made before the current round over the candidates. */
    int roundStart;
    /** Candidates of the current round skipped because they were at their concurrency limit. */
    int skippedThisRound;
    /**
     * The first candidate of the round passed over for its limit, and where the log says so; -1
     * when none was or it has been taken up to its cap.
     */
    int spare = -1;
    int spareLogged;
    /** Attempts sent to providers, over all rounds. */
    int sent;
    final RetryBudget budget;

    Run(ChainContext chain, Strategy strategy, Predicate<ProviderConfig> allowed, JsonRpcRequest request,
        long requestedBlock, long selectBlock, P payload, Transport<P, B> transport, Completion<B> done,
        Selection candidates, long startedNanos, long deadlineNanos) {
      this.chain = chain;
      this.strategy = strategy;
      this.allowed = allowed;
      this.request = request;
      this.requestedBlock = requestedBlock;
      this.selectBlock = selectBlock;
      this.payload = payload;
      this.transport = transport;
      this.done = done;
      this.candidates = candidates;
      this.startedNanos = startedNanos;
      this.deadlineNanos = deadlineNanos;
      this.budget = retryBudget(chain.config().name());
    }

    /** Sends the next attempt, or gives up when there is no candidate, attempt or time left. */
    void next() {
      if (!startAttempt(false) && first == null && second == null) {
        giveUp(deadlineNanos - clock.nanoTime() <= 0);
      }
    }

    /** The hedge timer fired: race a second provider against the attempt still in flight. */
    void hedge() {
      hedgeTimer = null;
      if (!finished && (first == null) != (second == null)) {
        startAttempt(true);
      }
    }

    /** Starts an attempt on the next candidate with room; {@code false} when none could start. */
    private boolean startAttempt(boolean hedge) {
      for (;;) {
        long now = clock.nanoTime();
        long remaining = deadlineNanos - now;
        int made = attempts.size() - roundStart - skippedThisRound;
        if (made + inFlight() >= maxAttempts || remaining <= 0) {
          return false;
        }
        ProviderConfig provider;
        ProviderLimiter.Permit permit;
        if (index < candidates.size()) {
          provider = candidates.get(index++);
          boolean timed = timer.sample();
          permit = limiter.tryAcquire(provider);
          if (timed) {
            timer.admission(clock.nanoTime() - now);
          }
          if (permit == null) {
            // Nothing was sent: not the provider's fault, so nothing is recorded against it, and
            // it does not count as one of the request's attempts.
            if (spare < 0) {
              spare = index - 1;
              spareLogged = attempts.size();
            }
            attempts.add(new Attempt(provider.id(), Attempt.SATURATED, 0, hedge));
            skippedThisRound++;
            continue;
          }
        } else {
          // Every candidate left was at its limit. An adaptive limit only steers load to
          // providers with room; when none has any, the first one passed over still takes the
          // request up to its hard cap (max_concurrency). Hedges are optional and never do.
          if (spare < 0 || hedge) {
            return false;
          }
          provider = candidates.get(spare);
          permit = limiter.tryAcquireUpToCap(provider);
          spare = -1;
          if (permit == null) {
            return false;
          }
          attempts.remove(spareLogged);
          skippedThisRound--;
        }
        if (sent == 0) {
          budget.first(now);
        } else if (!budget.tryRetry(now)) {
          chain.rollup().retryDenied();
          permit.release(null, now, 0);
          if (hedge) {
            index--; // no hedge; the candidate stays for a failover
          } else {
            attempts.add(new Attempt(provider.id(), Attempt.BUDGET_SPENT, 0, false));
            skippedThisRound++;
            index = candidates.size(); // no further attempt in this request
          }
          return false;
        }
        if (sent > 0) {
          chain.rollup().retried(hedge);
        }
        sent++;
        // The deadline is shared by the attempts still possible, so a provider that hangs costs
        // its share and not the whole request.
        int attemptsLeft = Math.min(maxAttempts - made - inFlight(), candidates.size() - index + 1);
        long timeout = remaining / Math.max(1, attemptsLeft);
        Duration own = provider.requestTimeout();
        if (own != null && own.toNanos() < timeout) {
          timeout = own.toNanos();
        }
        Call<B> call = new Call<>(this, provider, permit, now, hedge);
        if (first == null) {
          first = call;
        } else {
          second = call;
        }
        Cancellable handle = transport.send(provider, payload, timeout, call);
        if (!call.ended) {
          call.handle = handle;
          if (!hedge && !finished) {
            armHedge(provider);
          }
        }
        return true;
      }
    }

    private void armHedge(ProviderConfig provider) {
      if (hedgeTimer != null || index >= candidates.size() || ErrorClassifier.isWrite(request.method())) {
        return;
      }
      long delay = hedging.delayNanos(chain, provider, request.method());
      if (delay >= 0) {
        hedgeDelayNanos = delay;
        hedgeTimer = transport.schedule(delay, this::hedge);
      }
    }

    private int inFlight() {
      return (first == null ? 0 : 1) + (second == null ? 0 : 1);
    }

    void settle(Call<B> call, int status, String retryAfter, B body, TransportFailure failure) {
      call.ended = true;
      if (first == call) {
        first = null;
      } else if (second == call) {
        second = null;
      }
      ProviderConfig provider = call.provider;
      long nanos = clock.nanoTime() - call.startedNanos;
      if (finished) {
        lateAnswer(call, status, retryAfter, body, failure, nanos);
        return;
      }
      if (timer.sample()) {
        timer.attempt(nanos);
      }
      Classification verdict;
      boolean keptAsError = false;
      if (failure != null) {
        verdict = ErrorClassifier.classifyTransportFailure(failure);
      } else if (request.isNotification() && status / 100 == 2) {
        verdict = Classification.success(); // a notification has no answer to inspect
      } else {
        UpstreamReply reply = transport.inspect(body);
        verdict = classify(status, retryAfter, reply);
        boolean blockMissing = verdict.kind() == OutcomeKind.SUCCESS && reply.nullResult() && servedBlockAsked();
        if (blockMissing) {
          verdict = BLOCK_NOT_FOUND;
          chain.servedHead().seen(provider.id(), requestedBlock - 1); // the next round knows it is behind
        }
        if (reply.wellFormed() && (!reply.hasResult() || blockMissing)) {
          if (lastErrorReply != null) {
            transport.release(lastErrorReply);
          }
          lastErrorReply = body;
          lastErrorBy = provider.id();
          lastErrorIsMissingBlock = blockMissing;
          keptAsError = true;
        }
      }
      call.permit.release(verdict.kind(), call.startedNanos, nanos);
      chain.recordAttempt(provider.id(), request.method(), verdict.kind(), verdict.reason(), nanos,
          coolDownUntil(verdict));
      attempts.add(new Attempt(provider.id(), verdict.reason(), nanos, call.hedge));
      if (failure == TransportFailure.REPLY_TOO_LARGE) {
        // Another provider's reply to the same request would be as large: say so now.
        finish(Outcome.own(tooLarge(provider), attempts), "TOO_LARGE");
        return;
      }
      if (verdict.kind().settles()) {
        if (keptAsError) {
          lastErrorReply = null; // it is the answer now
        }
        hedgeWon = call.hedge;
        byte[] served = verdict.kind() == OutcomeKind.SUCCESS && BLOCK_NUMBER.equals(request.method())
            ? notBelowServedHead(provider, body) : null;
        if (served != null) {
          transport.release(body);
          finish(new Outcome<>(null, served, provider.id(), attempts, false), verdict.kind().name());
          return;
        }
        finish(new Outcome<>(body, null, provider.id(), attempts, false), verdict.kind().name());
      } else if (ErrorClassifier.mayRetry(request.method(), verdict)) {
        if (body != null && !keptAsError) {
          transport.release(body);
        }
        if (first == null && second == null) {
          if (hedgeTimer != null) {
            hedgeTimer.cancel(); // the first attempt failed before the hedge was due: plain failover
            hedgeTimer = null;
          }
          next();
        }
        // else: the other attempt of a hedge is still in flight; its ending decides.
      } else if (body != null) {
        // Not safe to try elsewhere (a write that may have landed): the provider's answer stands.
        if (keptAsError) {
          lastErrorReply = null;
        }
        finish(new Outcome<>(body, null, provider.id(), attempts, false), verdict.kind().name());
      } else {
        // A write whose fate is unknown: say so, never an earlier provider's unrelated error.
        finish(Outcome.own(allFailed(false), attempts), "NO_PROVIDER");
      }
    }

    private Classification classify(int status, String retryAfter, UpstreamReply reply) {
      return ErrorClassifier.classifyReply(request.method(), status, retryAfter, reply.wellFormed(),
          reply.hasResult(), reply.errorCode(), reply.errorMessage());
    }

    private long coolDownUntil(Classification verdict) {
      if (verdict.kind() != OutcomeKind.RATE_LIMITED) {
        return 0;
      }
      Duration wait = verdict.retryAfter() != null ? verdict.retryAfter() : Duration.ofSeconds(1);
      return clock.currentTimeMillis() + wait.toMillis();
    }

    /**
     * The answer of a first attempt that a hedge outran, arriving after the client had its answer:
     * it still counts for the provider (its latency, its breaker, its concurrency limit).
     */
    private void lateAnswer(Call<B> call, int status, String retryAfter, B body, TransportFailure failure,
                            long nanos) {
      if (call.outrunTimer != null) {
        call.outrunTimer.cancel();
        call.outrunTimer = null;
      }
      Classification verdict = failure != null ? ErrorClassifier.classifyTransportFailure(failure)
          : request.isNotification() ? Classification.success() : classify(status, retryAfter, transport.inspect(body));
      if (body != null) {
        transport.release(body);
      }
      call.permit.release(verdict.kind(), call.startedNanos, nanos);
      chain.recordAttempt(call.provider.id(), request.method(), verdict.kind(), verdict.reason(), nanos,
          coolDownUntil(verdict));
    }

    /**
     * A first attempt that its hedge outran gets until {@link #OUTRUN_GRACE} hedge delays after it
     * started to answer anyway. Cancelling it at once would leave the provider's record clean
     * however slow it got: a provider that turned 2 s slow would lose every race, never time out,
     * and never be taken out. Past the grace it is cancelled and counted as a timeout.
     */
    private void outrun(Call<B> call) {
      long elapsed = clock.nanoTime() - call.startedNanos;
      attempts.add(new Attempt(call.provider.id(), "outrun", elapsed, false));
      long grace = OUTRUN_GRACE * hedgeDelayNanos - elapsed;
      if (grace > 0) {
        call.outrunTimer = transport.schedule(grace, () -> giveUpOutrun(call));
      } else {
        giveUpOutrun(call);
      }
    }

    private void giveUpOutrun(Call<B> call) {
      call.outrunTimer = null;
      if (call.ended) {
        return;
      }
      call.ended = true;
      if (call.handle != null) {
        call.handle.cancel();
      }
      long nanos = clock.nanoTime() - call.startedNanos;
      call.permit.release(OutcomeKind.TIMEOUT, call.startedNanos, nanos);
      chain.recordAttempt(call.provider.id(), request.method(), OutcomeKind.TIMEOUT, "outrun by a hedge", nanos, 0);
    }

    /**
     * A provider's {@code eth_blockNumber} answer, held against the chain's served head: a number
     * below it is answered with the served head instead (returned here), so that a client never
     * sees the head go backwards; a higher one raises it. A number further above the chain head
     * than the chain's {@code max_ahead_blocks} (a rogue provider's) is not believed:
     * it neither raises the served head nor reaches the client while a served head is known.
     */
    private byte[] notBelowServedHead(ProviderConfig provider, B body) {
      long reported = transport.resultQuantity(body);
      if (reported < 0) {
        return null;
      }
      ServedHead heads = chain.servedHead();
      long chainHead = chain.snapshot().chainHead();
      boolean credible = chainHead < 0
          || reported - chainHead <= chain.config().maxAheadBlocks();
      long served;
      if (credible) {
        heads.seen(provider.id(), reported);
        served = heads.serve(reported);
      } else {
        served = heads.served();
      }
      if (served < 0 || served == reported) {
        return null;
      }
      return JsonRpcCodec.resultResponse(idOrNull(request), JsonRpcCodec.quote("0x" + Long.toHexString(served)));
    }

    /**
     * Whether the request names a block at or below the served head. Such a block exists (this
     * node served its number), so a {@code null} for it means the provider has not reached it or
     * has lost it, and another provider is asked. Should every one answer so, the last
     * {@code null} goes back.
     */
    private boolean servedBlockAsked() {
      return requestedBlock >= 0 && requestedBlock <= chain.servedHead().served();
    }

    /**
     * No attempt is left. When the last answer was a {@code null} for a block this node served,
     * the block exists and a provider that showed it has lost it for the moment (it fell behind or
     * reorganized): the candidates are tried again after a fraction of a block time, a few times
     * within the deadline, before that {@code null} goes back.
     */
    private void giveUp(boolean deadlineReached) {
      if (!deadlineReached && lastErrorReply != null && lastErrorIsMissingBlock && blockWaits < MAX_BLOCK_WAITS) {
        long wait = blockWaitNanos(chain);
        if (deadlineNanos - clock.nanoTime() > 2 * wait) {
          blockWaits++;
          transport.schedule(wait, this::nextRound);
          return;
        }
      }
      if (lastErrorReply != null) {
        B reply = lastErrorReply;
        lastErrorReply = null;
        finish(new Outcome<>(reply, null, lastErrorBy, attempts, false), "ERROR_REPLY");
      } else if (sent == 0 && !attempts.isEmpty() && !deadlineReached) {
        // Every candidate was at its limit on this node: nothing was sent, and walking on would
        // only add load. The client is told at once to come back, as for a full node.
        finish(new Outcome<>(null, JsonRpcCodec.errorResponse(idOrNull(request), JsonRpcErrors.PROVIDERS_SATURATED,
            "every provider that could take " + request.method() + " on " + chain.config().name()
                + " is at its concurrency limit on this node; try again shortly", null), null, attempts, true),
            "SATURATED");
      } else {
        finish(Outcome.own(allFailed(deadlineReached), attempts), "NO_PROVIDER");
      }
    }

    private void nextRound() {
      if (finished) {
        return;
      }
      Selector.select(chain.config(), chain.snapshot(), chain.breakers(), chain.latency(), strategy, request.method(),
          selectBlock, chain.servedHead(), allowed, clock.currentTimeMillis(), candidates);
      index = 0;
      roundStart = attempts.size();
      skippedThisRound = 0;
      spare = -1;
      next();
    }

    /** Answers the caller and counts the request in the dashboard rollup (never a message). */
    private void finish(Outcome<B> outcome, String lastOutcome) {
      finished = true;
      if (hedgeTimer != null) {
        hedgeTimer.cancel();
        hedgeTimer = null;
      }
      int answered = attempts.size() - 1; // calling off the attempt that lost a race appends to the log
      callOff(first);
      callOff(second);
      first = null;
      second = null;
      if (lastErrorReply != null) {
        transport.release(lastErrorReply);
        lastErrorReply = null;
      }
      admission.exit();
      RollupRecorder rollup = chain.rollup();
      String provider = outcome.providerId() != null ? outcome.providerId() : RollupRecorder.RIATA;
      rollup.request(provider, request.method(), attempts.size(), outcome.providerId() == null);
      if (hedgeWon) {
        rollup.hedgeWon();
      }
      if (rollup.wantsSample()) {
        boolean hedged = false;
        for (Attempt a : attempts) {
          hedged |= a.hedge();
        }
        rollup.sample(new Decision(clock.currentTimeMillis(), chain.config().name(), provider, request.method(),
            outcome.providerId() == null ? "NO_PROVIDER" : lastOutcome,
            (clock.nanoTime() - startedNanos) / 1000, attempts.size(), reason(answered, hedged), hedged, hedgeWon));
      }
      done.complete(outcome);
    }

    /** An attempt still out when the request was answered: a hedge's loser is cancelled, an outrun first attempt not yet. */
    private void callOff(Call<B> call) {
      if (call != null && !call.ended && hedgeWon && !call.hedge) {
        outrun(call);
      } else {
        cancel(call);
      }
    }

    /** Calls off an attempt that lost: its slot is given back and the log says so. */
    private void cancel(Call<B> call) {
      if (call == null || call.ended) {
        return;
      }
      call.ended = true;
      if (call.handle != null) {
        call.handle.cancel();
      }
      long nanos = clock.nanoTime() - call.startedNanos;
      call.permit.release(null, call.startedNanos, nanos);
      attempts.add(new Attempt(call.provider.id(), "cancelled", nanos, call.hedge));
    }

    /** The attempts other than the answer's (at {@code answered}): they moved the request on or lost a race. */
    private String reason(int answered, boolean hedged) {
      if (attempts.size() <= 1) {
        return "first choice (" + strategy.name().id() + ")";
      }
      StringBuilder why = new StringBuilder(hedged ? "hedged:" : "failover:");
      String separator = " ";
      for (int i = 0; i < attempts.size(); i++) {
        if (i != answered) {
          Attempt a = attempts.get(i);
          why.append(separator).append(a.providerId()).append(' ').append(a.reason());
          why.append(a.hedge() ? " (hedge)" : "");
          separator = "; ";
        }
      }
      return why.toString();
    }

    private byte[] tooLarge(ProviderConfig provider) {
      long limit = transport.maxReplyBytes();
      String size = limit < 0 ? "" : " of " + (limit % (1024 * 1024) == 0 ? limit / (1024 * 1024) + " MiB" : limit + " bytes");
      return JsonRpcCodec.errorResponse(idOrNull(request), JsonRpcErrors.REPLY_TOO_LARGE,
          "the reply to " + request.method() + " is larger than this node's limit" + size
              + " (riata.http.upstream.max-response-size); ask for less, e.g. a narrower block range",
          "{\"limitBytes\":" + limit + ",\"provider\":" + JsonRpcCodec.quote(provider.id()) + "}");
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
      return JsonRpcCodec.errorResponse(idOrNull(request), JsonRpcErrors.ALL_PROVIDERS_FAILED, message, data.toString());
    }
  }

  /** One attempt: the listener its transport reports to. */
  private static final class Call<B> implements AttemptListener<B> {
    final Run<?, B> run;
    final ProviderConfig provider;
    final ProviderLimiter.Permit permit;
    final long startedNanos;
    final boolean hedge;
    Cancellable handle;
    boolean ended;
    /** Set while a first attempt outrun by its hedge is given time to answer anyway. */
    Cancellable outrunTimer;

    Call(Run<?, B> run, ProviderConfig provider, ProviderLimiter.Permit permit, long startedNanos, boolean hedge) {
      this.run = run;
      this.provider = provider;
      this.permit = permit;
      this.startedNanos = startedNanos;
      this.hedge = hedge;
    }

    @Override
    public void onReply(int status, String retryAfter, B body) {
      if (ended) {
        run.transport.release(body); // cancelled: a transport should not report, but the bytes are ours to free
        return;
      }
      run.settle(this, status, retryAfter, body, null);
    }

    @Override
    public void onFailure(TransportFailure failure) {
      if (!ended) {
        run.settle(this, 0, null, null, failure);
      }
    }
  }
}
