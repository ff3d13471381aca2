package io.riata.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.riata.core.config.ProviderConfig;
import io.riata.core.failover.MethodDeadlines;
import io.riata.core.failover.OutcomeKind;
import io.riata.core.jsonrpc.JsonRpcRequest;
import io.riata.core.rollup.Decision;
import io.riata.core.rollup.RetryCounts;
import io.riata.core.selection.Strategies;
import io.riata.core.selection.StrategyName;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The failover rules of docs/api.md and docs/architecture.md, one row each, driven through the
 * engine with a scripted transport and a manual clock: deterministic, no sockets.
 */
class RequestEngineTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MS = 1_000_000;

  private final ManualClock clock = new ManualClock();
  private final ScriptedTransport transport = new ScriptedTransport(clock);
  private final ConcurrencyLimiter limiter = new ConcurrencyLimiter(ConcurrencyLimiter.Settings.fixed(8));

  private RequestEngine engine(HedgePolicy hedging, NodeAdmission admission, ProviderLimiter limits) {
    return engine(hedging, admission, limits, RetryBudget.Settings.UNLIMITED);
  }

  private RequestEngine engine(HedgePolicy hedging, NodeAdmission admission, ProviderLimiter limits,
                               RetryBudget.Settings budget) {
    return new RequestEngine(new MethodDeadlines(Map.of("eth_call", Duration.ofSeconds(5)), Duration.ofSeconds(2)),
        3, limits, budget, hedging, admission, List.of(Shortcut.CHAIN_ID), PathTimer.NONE, clock);
  }

  private RequestEngine engine() {
    return engine(HedgePolicy.NONE, NodeAdmission.UNBOUNDED, limiter);
  }

  /** Runs one request to its outcome. */
  private Outcome<ScriptedTransport.Body> run(RequestEngine engine, TestChain chain, String method) {
    JsonRpcRequest.Built built = JsonRpcRequest.build("1", method, "[\"0xabc\",\"latest\"]");
    List<Outcome<ScriptedTransport.Body>> got = new ArrayList<>();
    engine.execute(chain, Strategies.create(StrategyName.PRIORITY), null, built.request(), "payload-of-" + method,
        transport, got::add);
    transport.runUntilIdle();
    assertEquals(1, got.size(), "the engine must complete exactly once");
    return got.get(0);
  }

  static String log(Outcome<?> outcome) {
    return outcome.attempts().stream().map(a -> a.providerId() + "=" + a.reason()).collect(Collectors.joining(", "));
  }

  private static JsonNode ownAnswer(Outcome<?> outcome) throws IOException {
    assertNull(outcome.body(), "expected Riata's own answer");
    return JSON.readTree(outcome.own());
  }

  static Stream<Arguments> rules() {
    return Stream.of(
        // name, method, providers, script, answered by (or riata:CODE), attempt log
        Arguments.of("a result is returned", "eth_getBalance", "a b", "a=ok", "a", "a=ok"),
        Arguments.of("a caller's error comes back as it is", "eth_call", "a b", "a=caller", "a", "a=error 3"),
        Arguments.of("nonce too low is the caller's", "eth_getBalance", "a b", "a=err:-32000:nonce_too_low", "a",
            "a=error -32000"),
        Arguments.of("http 5xx moves on", "eth_getBalance", "a b", "a=503 b=ok", "b", "a=http 503, b=ok"),
        Arguments.of("refused connection moves on", "eth_getBalance", "a b", "a=connect-refused b=ok", "b",
            "a=connection refused, b=ok"),
        Arguments.of("reset moves on", "eth_getBalance", "a b", "a=reset b=ok", "b", "a=connection reset, b=ok"),
        Arguments.of("malformed reply moves on", "eth_getBalance", "a b", "a=malformed b=ok", "b",
            "a=malformed reply, b=ok"),
        Arguments.of("missing state moves on", "eth_getBalance", "a b", "a=err:-32000:header_not_found b=ok", "b",
            "a=error -32000 missing state, b=ok"),
        Arguments.of("internal error moves on", "eth_getBalance", "a b", "a=err:-32603:boom b=ok", "b",
            "a=error -32603, b=ok"),
        Arguments.of("method not available moves on", "eth_getBalance", "a b", "a=err:-32601:no_such_method b=ok", "b",
            "a=error -32601 method not available, b=ok"),
        Arguments.of("too big for one provider moves on", "eth_getLogs", "a b",
            "a=err:-32005:query_returned_more_than_10000_results b=ok", "b",
            "a=error -32005 too big for this provider, b=ok"),
        Arguments.of("timeout moves on", "eth_getBalance", "a b", "a=hang b=ok", "b", "a=timeout, b=ok"),
        Arguments.of("http 429 moves on", "eth_getBalance", "a b", "a=429 b=ok", "b", "a=http 429, b=ok"),
        Arguments.of("rate-limit code moves on", "eth_getBalance", "a b", "a=err:-32005:limit_exceeded b=ok", "b",
            "a=error -32005 rate limited, b=ok"),
        Arguments.of("at most three attempts, never one provider twice", "eth_getBalance", "a b c d",
            "a=503 b=503 c=503", "riata:-32050", "a=http 503, b=http 503, c=http 503"),
        Arguments.of("fewer providers than attempts: each once", "eth_getBalance", "a b", "a=503 b=503",
            "riata:-32050", "a=http 503, b=http 503"),
        Arguments.of("all failed: the last JSON-RPC error goes back", "eth_getBalance", "a b c",
            "a=err:-32000:header_not_found b=503 c=reset", "a", "a=error -32000 missing state, b=http 503, c=connection reset"),
        Arguments.of("method available nowhere: the last such answer", "eth_getBalance", "a b c",
            "a=err:-32601:x b=err:-32601:y c=err:-32601:z", "c",
            "a=error -32601 method not available, b=error -32601 method not available, c=error -32601 method not available"),
        Arguments.of("write: refused connection moves on", "eth_sendRawTransaction", "a b", "a=connect-refused b=ok", "b",
            "a=connection refused, b=ok"),
        Arguments.of("write: connect timeout moves on", "eth_sendRawTransaction", "a b", "a=connect-timeout b=ok", "b",
            "a=connect timeout, b=ok"),
        Arguments.of("write: failed tls handshake moves on", "eth_sendRawTransaction", "a b", "a=tls-failed b=ok", "b",
            "a=tls handshake failed, b=ok"),
        Arguments.of("write: 429 moves on", "eth_sendRawTransaction", "a b", "a=429 b=ok", "b", "a=http 429, b=ok"),
        Arguments.of("write: method not available moves on", "eth_sendRawTransaction", "a b",
            "a=err:-32601:x b=ok", "b", "a=error -32601 method not available, b=ok"),
        Arguments.of("write: a timeout is never sent twice", "eth_sendRawTransaction", "a b", "a=hang", "riata:-32050",
            "a=timeout"),
        Arguments.of("write: a reset is never sent twice", "eth_sendRawTransaction", "a b", "a=reset", "riata:-32050",
            "a=connection reset"),
        Arguments.of("write: a closed connection is never sent twice", "eth_sendRawTransaction", "a b", "a=closed",
            "riata:-32050", "a=connection closed"),
        Arguments.of("write: a provider's 5xx answer stands", "eth_sendRawTransaction", "a b", "a=502", "a",
            "a=http 502"),
        Arguments.of("write: already known is the caller's", "eth_sendRawTransaction", "a b",
            "a=err:-32000:already_known", "a", "a=error -32000"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void followsTheFailoverRules(String name, String method, String providers, String script, String answeredBy,
                               String expectedLog) throws IOException {
    TestChain chain = TestChain.of(providers.split(" "));
    transport.script(script);
    Outcome<ScriptedTransport.Body> outcome = run(engine(), chain, method);

    assertEquals(expectedLog, log(outcome));
    if (answeredBy.startsWith("riata:")) {
      JsonNode error = ownAnswer(outcome).path("error");
      assertEquals(Integer.parseInt(answeredBy.substring(6)), error.path("code").asInt(), error.toString());
      assertEquals(outcome.attempts().size(), error.path("data").path("attempts").size());
      assertNull(outcome.providerId());
    } else {
      assertEquals(answeredBy, outcome.providerId());
      assertNotNull(outcome.body());
      assertTrue(!outcome.body().released, "the answer must not be released before it is sent");
    }
    assertEquals(List.of(), transport.leaked(outcome.body()), "every other reply body is released");
    for (String id : providers.split(" ")) {
      assertEquals(0, limiter.inFlight(id), "every permit is given back");
    }
    // The payload goes out as given, once per attempt that reached the transport.
    assertTrue(transport.sent.stream().allMatch(s -> s.payload().equals("payload-of-" + method)));
    assertEquals(outcome.attempts().size(), transport.sent.size());
    assertEquals(outcome.attempts().size(), chain.recorded.size(), "every attempt is recorded against its provider");
  }

  @Test
  void answersChainIdFromConfigurationWithoutAProvider() throws IOException {
    Outcome<ScriptedTransport.Body> outcome = run(engine(), TestChain.of("a"), "eth_chainId");
    assertEquals("0x5", ownAnswer(outcome).path("result").asText());
    assertEquals(List.of(), transport.sent);
  }

  @Test
  void saysWhyWhenNoProviderIsEligible() throws IOException {
    TestChain chain = TestChain.of("a", "b");
    chain.drain("a");
    chain.phases.put("b", io.riata.core.breaker.BreakerPhase.OPEN);
    JsonNode error = ownAnswer(run(engine(), chain, "eth_getBalance")).path("error");
    assertEquals(-32051, error.path("code").asInt());
    assertEquals("1 drained, 1 circuit breaker open", error.path("data").path("excluded").asText());
    assertEquals(List.of(), transport.sent);
  }

  @Test
  void sharesTheDeadlineAmongTheAttemptsStillPossible() {
    transport.script("a=hang b=hang c=hang");
    Outcome<ScriptedTransport.Body> outcome = run(engine(), TestChain.of("a", "b", "c"), "eth_getBalance");
    assertEquals("a=timeout, b=timeout, c=timeout", log(outcome));
    // 2 s for three attempts: a third each, then what is left shared by the attempts left.
    long first = transport.sent.get(0).timeoutNanos();
    long second = transport.sent.get(1).timeoutNanos();
    long third = transport.sent.get(2).timeoutNanos();
    assertEquals(2000 * MS / 3, first);
    assertEquals((2000 * MS - first) / 2, second);
    assertEquals(2000 * MS - first - second, third);
  }

  @Test
  void saysTheDeadlineWasReachedWhenItWas() throws IOException {
    transport.script("a=hang b=hang");
    JsonNode error = ownAnswer(run(engine(), TestChain.of("a", "b"), "eth_getBalance")).path("error");
    assertEquals(-32050, error.path("code").asInt());
    assertEquals("all 2 attempts failed (deadline reached)", error.path("message").asText());
  }

  @Test
  void aProvidersOwnRequestTimeoutCapsItsAttempt() {
    TestChain chain = new TestChain(TestChain.provider("a", 1, Duration.ofMillis(150), 0),
        TestChain.provider("b", 2, null, 0));
    transport.script("a=hang b=ok");
    Outcome<ScriptedTransport.Body> outcome = run(engine(), chain, "eth_getBalance");
    assertEquals("a=timeout, b=ok", log(outcome));
    assertEquals(150 * MS, transport.sent.get(0).timeoutNanos());
    assertEquals(150 * MS, transport.sent.get(1).atNanos() - transport.sent.get(0).atNanos());
  }

  @Test
  void coolsARateLimitedProviderDownForItsRetryAfter() {
    TestChain chain = TestChain.of("a", "b", "c");
    transport.script("a=429:7 b=429 c=ok");
    long startMillis = clock.currentTimeMillis();
    run(engine(), chain, "eth_getBalance");
    TestChain.Recorded a = chain.recorded.get(0);
    TestChain.Recorded b = chain.recorded.get(1);
    assertEquals(OutcomeKind.RATE_LIMITED, a.kind());
    assertEquals(startMillis + 1 + 7000, a.rateLimitedUntilMillis(), "Retry-After: 7 from the moment it answered");
    assertEquals(startMillis + 2 + 1000, b.rateLimitedUntilMillis(), "1 s without Retry-After");
  }

  @Test
  void skipsAFullProviderWithoutHoldingItAgainstIt() {
    ProviderLimiter refusesA = refusing("a");
    TestChain chain = TestChain.of("a", "b");
    transport.script("b=ok");
    Outcome<ScriptedTransport.Body> outcome = run(engine(HedgePolicy.NONE, NodeAdmission.UNBOUNDED, refusesA), chain,
        "eth_getBalance");
    assertEquals("a=saturated, b=ok", log(outcome));
    assertEquals(List.of("b"), chain.recorded.stream().map(TestChain.Recorded::providerId).toList());
  }

  @Test
  void aReplyOverTheLimitEndsTheRequestWithAnErrorNamingTheLimit() throws IOException {
    TestChain chain = TestChain.of("a", "b");
    transport.script("a=reply-too-large b=ok");
    Outcome<ScriptedTransport.Body> outcome = run(engine(), chain, "eth_getBalance");
    assertEquals("a=reply too large", log(outcome), "b's reply would be as large: it is not asked");
    JsonNode error = ownAnswer(outcome).path("error");
    assertEquals(-32055, error.path("code").asInt());
    assertTrue(error.path("message").asText().contains("limit of 32 MiB (riata.http.upstream.max-response-size)"),
        error.toString());
    assertEquals("a", error.path("data").path("provider").asText());
    assertEquals(32L << 20, error.path("data").path("limitBytes").asLong());
    assertEquals(OutcomeKind.UNSUPPORTED, chain.recorded.get(0).kind(), "not the provider's fault");
    assertEquals(0, limiter.inFlight("a"));
  }

  @Test
  void aFullProviderDoesNotUseUpOneOfTheRequestsAttempts() {
    TestChain chain = TestChain.of("a", "b", "c", "d");
    transport.script("b=503 c=503 d=ok");
    Outcome<ScriptedTransport.Body> outcome = run(engine(HedgePolicy.NONE, NodeAdmission.UNBOUNDED, refusing("a")),
        chain, "eth_getBalance");
    assertEquals("a=saturated, b=http 503, c=http 503, d=ok", log(outcome), "three attempts were sent, as allowed");
  }

  @Test
  void whenEveryProviderIsFullTheClientGets503AtOnceAndNothingIsSent() throws IOException {
    TestChain chain = TestChain.of("a", "b");
    Outcome<ScriptedTransport.Body> outcome = run(engine(HedgePolicy.NONE, NodeAdmission.UNBOUNDED,
        refusing("a", "b")), chain, "eth_getBalance");
    assertTrue(outcome.refused(), "answered with HTTP 503 and Retry-After");
    JsonNode error = ownAnswer(outcome).path("error");
    assertEquals(-32054, error.path("code").asInt());
    assertTrue(error.path("message").asText().contains("concurrency limit"), error.toString());
    assertEquals(List.of(), transport.sent);
    assertEquals(List.of(), chain.recorded, "a full provider is not a failed one");
  }

  @Test
  void retriesBeyondTheChainsBudgetAreNotSent() throws IOException {
    // No share of first attempts, a floor of one retry per second over a 1 s window.
    RequestEngine engine = engine(HedgePolicy.NONE, NodeAdmission.UNBOUNDED, limiter,
        new RetryBudget.Settings(0, 1, Duration.ofSeconds(1)));
    TestChain chain = TestChain.of("a", "b");
    transport.script("a=503 b=ok");
    assertEquals("a=http 503, b=ok", log(run(engine, chain, "eth_getBalance")), "the floor allows one retry");
    transport.script("a=503");
    Outcome<ScriptedTransport.Body> spent = run(engine, chain, "eth_getBalance");
    assertEquals("a=http 503, b=retry budget spent", log(spent));
    assertEquals(-32050, ownAnswer(spent).path("error").path("code").asInt());
    assertEquals(1, transport.sent.stream().filter(s -> s.providerId().equals("b")).count(),
        "b was asked once, by the first request");
    assertEquals(new RetryCounts(1, 1, 0, 0), chain.rollup.drain().retries(), "one retry, one refused");

    clock.advanceTo(clock.nanoTime() + Duration.ofSeconds(1).toNanos());
    transport.script("a=503 b=ok");
    assertEquals("a=http 503, b=ok", log(run(engine, chain, "eth_getBalance")), "a new second, a new floor");
  }

  @Test
  void aShareOfFirstAttemptsMayBeRetried() {
    // 20% of first attempts, no floor: after 10 requests that went well, two retries are allowed.
    RequestEngine engine = engine(HedgePolicy.NONE, NodeAdmission.UNBOUNDED, limiter,
        new RetryBudget.Settings(0.2, 0, Duration.ofSeconds(10)));
    TestChain chain = TestChain.of("a", "b");
    for (int i = 0; i < 10; i++) {
      transport.script("a=ok");
      run(engine, chain, "eth_getBalance");
    }
    transport.script("a=503 b=ok");
    assertEquals("a=http 503, b=ok", log(run(engine, chain, "eth_getBalance")));
    transport.script("a=503 b=ok");
    assertEquals("a=http 503, b=ok", log(run(engine, chain, "eth_getBalance")));
    transport.script("a=503");
    assertEquals("a=http 503, b=retry budget spent", log(run(engine, chain, "eth_getBalance")),
        "13 first attempts allow 2.6 retries: the third is refused");
  }

  /** A limiter with no room at all (up to their caps) for the given providers. */
  private ProviderLimiter refusing(String... full) {
    return limiting(false, full);
  }

  /** A limiter whose adaptive limit is reached for the given providers, with room below their caps. */
  private ProviderLimiter atAdaptiveLimit(String... full) {
    return limiting(true, full);
  }

  private ProviderLimiter limiting(boolean roomBelowCap, String... full) {
    List<String> ids = List.of(full);
    return new ProviderLimiter() {
      @Override
      public Permit tryAcquire(ProviderConfig provider) {
        return ids.contains(provider.id()) ? null : limiter.tryAcquire(provider);
      }

      @Override
      public Permit tryAcquireUpToCap(ProviderConfig provider) {
        return ids.contains(provider.id()) && !roomBelowCap ? null : limiter.tryAcquire(provider);
      }

      @Override
      public int inFlight(String providerId) {
        return limiter.inFlight(providerId);
      }
    };
  }

  @Test
  void aProviderAtItsAdaptiveLimitIsPassedOverWhileAnotherHasRoom() {
    transport.script("b=ok");
    Outcome<ScriptedTransport.Body> outcome = run(engine(HedgePolicy.NONE, NodeAdmission.UNBOUNDED,
        atAdaptiveLimit("a")), TestChain.of("a", "b"), "eth_getBalance");
    assertEquals("a=saturated, b=ok", log(outcome));
  }

  @Test
  void whenEveryCandidateIsAtItsAdaptiveLimitTheFirstTakesTheRequestUpToItsCap() {
    transport.script("a=ok");
    TestChain chain = TestChain.of("a", "b");
    Outcome<ScriptedTransport.Body> outcome = run(engine(HedgePolicy.NONE, NodeAdmission.UNBOUNDED,
        atAdaptiveLimit("a", "b")), chain, "eth_getBalance");
    assertEquals("b=saturated, a=ok", log(outcome), "no 503 while a provider is below its hard cap");
    assertEquals("a", outcome.providerId());
    assertEquals(0, limiter.inFlight("a"), "its slot came back");
  }

  @Test
  void anOverflowAttemptThatFailsStillFailsOverToWhatIsLeft() throws IOException {
    transport.script("a=503");
    TestChain chain = TestChain.of("a", "b");
    Outcome<ScriptedTransport.Body> outcome = run(engine(HedgePolicy.NONE, NodeAdmission.UNBOUNDED,
        atAdaptiveLimit("a", "b")), chain, "eth_getBalance");
    assertEquals("b=saturated, a=http 503", log(outcome), "one provider past its adaptive limit per round");
    assertEquals(-32050, ownAnswer(outcome).path("error").path("code").asInt());
  }

  @Test
  void aFullNodeRefusesAtOnce() throws IOException {
    NodeAdmission full = new NodeAdmission() {
      @Override
      public boolean tryEnter() {
        return false;
      }

      @Override
      public void exit() {
        throw new AssertionError("nothing entered");
      }
    };
    Outcome<ScriptedTransport.Body> outcome = run(engine(HedgePolicy.NONE, full, limiter), TestChain.of("a"),
        "eth_getBalance");
    assertTrue(outcome.refused());
    assertEquals(-32053, ownAnswer(outcome).path("error").path("code").asInt());
    assertEquals(List.of(), transport.sent);
  }

  @Test
  void admissionIsGivenBackWhenTheRequestEnds() {
    int[] inside = new int[1];
    NodeAdmission counting = new NodeAdmission() {
      @Override
      public boolean tryEnter() {
        inside[0]++;
        return true;
      }

      @Override
      public void exit() {
        inside[0]--;
      }
    };
    transport.script("a=503 b=ok");
    run(engine(HedgePolicy.NONE, counting, limiter), TestChain.of("a", "b"), "eth_getBalance");
    assertEquals(0, inside[0]);
  }

  @Test
  void anEmptySuccessIsTheAnswerToANotification() {
    JsonRpcRequest note = new JsonRpcRequest(0, 10, null, "eth_getBalance", null);
    List<Outcome<ScriptedTransport.Body>> got = new ArrayList<>();
    transport.script("a=empty");
    engine().execute(TestChain.of("a", "b"), Strategies.create(StrategyName.PRIORITY), null, note, "n", transport,
        got::add);
    transport.runUntilIdle();
    assertEquals("a=ok", log(got.get(0)));
  }

  @Test
  void aHedgeRacesASlowFirstAttemptWhichIsCancelledAndCountedAsATimeoutPastItsGrace() {
    HedgePolicy after100ms = (chain, first, method) -> 100 * MS;
    transport.script("a=ok:500 b=ok:10");
    TestChain chain = TestChain.of("a", "b");
    Outcome<ScriptedTransport.Body> outcome = run(engine(after100ms, NodeAdmission.UNBOUNDED, limiter), chain,
        "eth_getBalance");
    assertEquals("b", outcome.providerId());
    assertEquals("b=ok, a=outrun", log(outcome));
    assertTrue(outcome.attempts().get(0).hedge());
    assertEquals(100 * MS, transport.sent.get(1).atNanos() - transport.sent.get(0).atNanos());
    // The client was answered at 110 ms; a had until four hedge delays (400 ms) to answer anyway.
    assertEquals(List.of("a"), transport.cancelled);
    assertEquals(new TestChain.Recorded("a", OutcomeKind.TIMEOUT, "outrun by a hedge", 0), chain.recorded.get(1));
    assertEquals(0, limiter.inFlight("a"));
    assertEquals(0, limiter.inFlight("b"));
    assertEquals(List.of(), transport.leaked(outcome.body()));
    var drained = chain.rollup.drain();
    assertEquals(new RetryCounts(0, 0, 1, 1), drained.retries(), "one hedge sent, and it won");
    Decision decision = drained.decisions().get(0);
    assertTrue(decision.hedged() && decision.hedgeWon(), decision.toString());
    assertEquals("hedged: a outrun", decision.reason(), "the loser, not the answer, is the reason");
  }

  @Test
  void anOutrunFirstAttemptThatAnswersWithinItsGraceCountsAsTheSuccessItWas() {
    HedgePolicy after100ms = (chain, first, method) -> 100 * MS;
    transport.script("a=ok:300 b=ok:10");
    TestChain chain = TestChain.of("a", "b");
    Outcome<ScriptedTransport.Body> outcome = run(engine(after100ms, NodeAdmission.UNBOUNDED, limiter), chain,
        "eth_getBalance");
    assertEquals("b=ok, a=outrun", log(outcome));
    assertEquals(List.of(), transport.cancelled, "its answer came back, so its connection stays usable");
    assertEquals(List.of("b", "a"), chain.recorded.stream().map(TestChain.Recorded::providerId).toList());
    assertEquals(OutcomeKind.SUCCESS, chain.recorded.get(1).kind());
    assertEquals(0, limiter.inFlight("a"));
    assertEquals(List.of(), transport.leaked(outcome.body()), "the late answer's body is freed");
  }

  @Test
  void aHedgeThatLosesIsCancelledAtOnceAndNotHeldAgainstItsProvider() {
    HedgePolicy after100ms = (chain, first, method) -> 100 * MS;
    transport.script("a=ok:150 b=ok:200");
    TestChain chain = TestChain.of("a", "b");
    Outcome<ScriptedTransport.Body> outcome = run(engine(after100ms, NodeAdmission.UNBOUNDED, limiter), chain,
        "eth_getBalance");
    assertEquals("a=ok, b=cancelled", log(outcome));
    assertEquals(List.of("b"), transport.cancelled);
    assertEquals(List.of("a"), chain.recorded.stream().map(TestChain.Recorded::providerId).toList());
  }

  @Test
  void aHedgeIsPaidFromTheRetryBudgetAndNotSentWhenItIsSpent() {
    HedgePolicy after100ms = (chain, first, method) -> 100 * MS;
    // No share of first attempts, one retry per second: one hedge, then none in the same second.
    RequestEngine engine = engine(after100ms, NodeAdmission.UNBOUNDED, limiter,
        new RetryBudget.Settings(0, 1, Duration.ofSeconds(1)));
    TestChain chain = TestChain.of("a", "b");
    transport.script("a=ok:500 b=ok:10");
    assertEquals("b=ok, a=outrun", log(run(engine, chain, "eth_getBalance")));
    transport.script("a=ok:300");
    clock.advanceTo(clock.nanoTime() + 100 * MS); // still within the same second of the budget
    Outcome<ScriptedTransport.Body> second = run(engine, chain, "eth_getBalance");
    assertEquals("a=ok", log(second), "the budget is spent: the slow first attempt is waited for");
    assertEquals(new RetryCounts(0, 1, 1, 1), chain.rollup.drain().retries(), "one hedge sent and won, one refused");
  }

  @Test
  void theFirstAnswerWinsWhenItComesBeforeTheHedge() {
    HedgePolicy after100ms = (chain, first, method) -> 100 * MS;
    transport.script("a=ok:20");
    Outcome<ScriptedTransport.Body> outcome = run(engine(after100ms, NodeAdmission.UNBOUNDED, limiter),
        TestChain.of("a", "b"), "eth_getBalance");
    assertEquals("a=ok", log(outcome));
    assertEquals(1, transport.sent.size());
  }

  @Test
  void aFirstAttemptThatFailsBeforeTheHedgeIsPlainFailover() {
    HedgePolicy after100ms = (chain, first, method) -> 100 * MS;
    transport.script("a=503 b=ok");
    TestChain chain = TestChain.of("a", "b", "c");
    Outcome<ScriptedTransport.Body> outcome = run(engine(after100ms, NodeAdmission.UNBOUNDED, limiter), chain,
        "eth_getBalance");
    assertEquals("a=http 503, b=ok", log(outcome));
    assertEquals(1 * MS, transport.sent.get(1).atNanos() - transport.sent.get(0).atNanos());
    assertEquals(false, outcome.attempts().get(1).hedge());
    assertEquals(new RetryCounts(1, 0, 0, 0), chain.rollup.drain().retries(), "a retry, no hedge");
  }

  @Test
  void aHedgeThatFailsLeavesTheFirstAttemptToDecide() {
    HedgePolicy after100ms = (chain, first, method) -> 100 * MS;
    transport.script("a=ok:300 b=503");
    TestChain chain = TestChain.of("a", "b");
    Outcome<ScriptedTransport.Body> outcome = run(engine(after100ms, NodeAdmission.UNBOUNDED, limiter), chain,
        "eth_getBalance");
    assertEquals("b=http 503, a=ok", log(outcome));
    assertEquals("a", outcome.providerId());
    var drained = chain.rollup.drain();
    assertEquals(new RetryCounts(0, 0, 1, 0), drained.retries());
    Decision decision = drained.decisions().get(0);
    assertTrue(decision.hedged() && !decision.hedgeWon(), decision.toString());
    assertEquals("hedged: b http 503 (hedge)", decision.reason());
  }

  @Test
  void writesAreNeverHedged() {
    HedgePolicy after100ms = (chain, first, method) -> 100 * MS;
    transport.script("a=ok:500");
    Outcome<ScriptedTransport.Body> outcome = run(engine(after100ms, NodeAdmission.UNBOUNDED, limiter),
        TestChain.of("a", "b"), "eth_sendRawTransaction");
    assertEquals("a=ok", log(outcome));
    assertEquals(1, transport.sent.size());
  }

  @Test
  void countsTheRequestAndSamplesTheDecisionForTheDashboard() {
    TestChain chain = TestChain.of("a", "b");
    transport.script("a=503 b=ok");
    run(engine(), chain, "eth_getBalance");
    var drained = chain.rollup.drain();
    assertEquals(1, drained.decisions().size());
    var decision = drained.decisions().get(0);
    assertEquals("b", decision.provider());
    assertEquals(2, decision.attempts());
    assertEquals("failover: a http 503", decision.reason());
    assertEquals("SUCCESS", decision.outcome());
  }

  @Test
  void blockNumberNeverGoesBelowTheHeadThisNodeServed() throws IOException {
    TestChain chain = TestChain.of("a", "b");
    RequestEngine engine = engine();
    transport.script("a=head:20");
    Outcome<ScriptedTransport.Body> first = run(engine, chain, "eth_blockNumber");
    assertNotNull(first.body(), "a head at or above the served one passes as the provider sent it");
    assertEquals(0x20, chain.servedHead().served());
    transport.release(first.body());

    transport.script("a=503 b=head:1f");
    Outcome<ScriptedTransport.Body> behind = run(engine, chain, "eth_blockNumber");
    assertEquals("b", behind.providerId());
    assertEquals("0x20", ownAnswer(behind).get("result").asText(), "b is one block behind what was served");
    assertEquals("1", ownAnswer(behind).get("id").asText());
    assertEquals(List.of(), transport.leaked(null), "b's own reply is released");

    transport.script("a=head:21");
    assertNotNull(run(engine, chain, "eth_blockNumber").body());
    assertEquals(0x21, chain.servedHead().served());
  }

  @Test
  void aBlockNumberFarAboveTheChainHeadNeitherRaisesTheServedHeadNorReachesTheClient() throws IOException {
    TestChain chain = TestChain.of("a", "b"); // chain head 100, outlier distance 64
    RequestEngine engine = engine();
    transport.script("a=head:64");
    run(engine, chain, "eth_blockNumber");
    transport.script("a=head:ffffff");
    Outcome<ScriptedTransport.Body> lie = run(engine, chain, "eth_blockNumber");
    assertEquals("0x64", ownAnswer(lie).get("result").asText());
    assertEquals(100, chain.servedHead().served());
    assertEquals(100, chain.servedHead().knownHead("a", chain.snapshot().provider("a")),
        "a head that is not believed does not count as the provider's either");
  }

  @Test
  void aRequestForABlockSkipsAProviderKnownToBeBelowIt() {
    TestChain chain = TestChain.of("a", "b"); // both at 100 in the snapshot; the request names 0xabc
    chain.servedHead().seen("b", 0xabc);
    transport.script("b=ok");
    Outcome<ScriptedTransport.Body> outcome = run(engine(), chain, "eth_getBlockByNumber");
    assertEquals("b=ok", log(outcome), "a, first by priority, has not reached the block");
  }

  @Test
  void aReadAtLatestSkipsAProviderKnownToBeBelowTheServedHead() {
    TestChain chain = TestChain.of("a", "b"); // both at 100 in the snapshot
    chain.servedHead().serve(101); // a client was told 101 (by b, say)
    chain.servedHead().seen("b", 101);
    transport.script("b=ok");
    Outcome<ScriptedTransport.Body> outcome = run(engine(), chain, "eth_getBalance"); // [addr, "latest"]
    assertEquals("b=ok", log(outcome), "a, first by priority, would answer at 100, below what was served");

    TestChain level = TestChain.of("a", "b");
    level.servedHead().serve(101); // nobody is known to have 101: no one is skipped
    transport.script("a=ok");
    assertEquals("a=ok", log(run(engine(), level, "eth_getBalance")));
  }

  @Test
  void aRequestForABlockNoProviderIsKnownToHaveStillGoesOut() {
    TestChain chain = TestChain.of("a", "b");
    transport.script("a=ok");
    assertEquals("a=ok", log(run(engine(), chain, "eth_getBlockByNumber")));
  }

  @Test
  void aNullForABlockThisNodeServedMovesOnAndCountsNoFailure() {
    TestChain chain = TestChain.of("a", "b", "c");
    chain.servedHead().serve(0xabc); // the request names 0xabc
    transport.script("a=null b=ok");
    Outcome<ScriptedTransport.Body> outcome = run(engine(), chain, "eth_getBlockByNumber");
    assertEquals("a=block not found, b=ok", log(outcome));
    assertEquals("b", outcome.providerId());
    assertEquals(OutcomeKind.UNSUPPORTED, chain.recorded.get(0).kind(), "a lagging provider is not a broken one");
    assertEquals(List.of(), transport.leaked(outcome.body()));
  }

  @Test
  void aServedBlockMissingEverywhereIsWaitedForWithinTheDeadline() {
    TestChain chain = TestChain.of("a", "b", "c"); // block time 2 s: rounds 250 ms apart
    chain.servedHead().serve(0xabc);
    transport.script("a=null b=null c=null a=null b=ok");
    long start = clock.nanoTime();
    Outcome<ScriptedTransport.Body> outcome = run(engine(), chain, "eth_getBlockByNumber");
    assertEquals("a=block not found, b=block not found, c=block not found, a=block not found, b=ok", log(outcome));
    assertEquals("b", outcome.providerId());
    assertTrue(clock.nanoTime() - start >= 250 * MS, "the second round waited");
    assertEquals(List.of(), transport.leaked(outcome.body()));
  }

  @Test
  void whenEveryProviderLacksTheBlockTheLastNullGoesBack() {
    TestChain chain = TestChain.of("a", "b", "c");
    chain.servedHead().serve(0xabc);
    transport.script("a=null b=null c=null ".repeat(4)); // the first round and three more
    Outcome<ScriptedTransport.Body> outcome = run(engine(), chain, "eth_getBlockByNumber");
    assertEquals(12, outcome.attempts().size());
    assertEquals("c", outcome.providerId());
    assertEquals("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":null}", outcome.body().text);
    assertEquals(List.of(), transport.leaked(outcome.body()));
  }

  @Test
  void aNullForABlockBeyondTheServedHeadIsTheAnswer() {
    TestChain chain = TestChain.of("a", "b");
    chain.servedHead().serve(0xab0); // below the 0xabc the request names: nobody said it exists
    transport.script("a=null");
    Outcome<ScriptedTransport.Body> outcome = run(engine(), chain, "eth_getBlockByNumber");
    assertEquals("a=ok", log(outcome));
    assertEquals("a", outcome.providerId());
  }
}
