package io.riata.http.chaos;

import io.riata.http.chaos.OverloadFigures.Figure;
import io.riata.http.chaos.OverloadFigures.Result;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Providers in trouble under steady reads, open loop (so a stalled read does not hold the next
 * one back): one turning 2 s slow, two failing every second call, all three at their concurrency
 * limit. Upstream attempts are counted where they land, at the simulated providers
 * ({@code eth_getBalance} calls only; head probes are other methods).
 */
final class ProviderTrouble {

  /** How long the reads run before the trouble, and with it. */
  record Pace(Duration before, Duration trouble) {
    static final Pace FULL = new Pace(Duration.ofSeconds(5), Duration.ofSeconds(12));
    static final Pace QUICK = new Pace(Duration.ofSeconds(3), Duration.ofSeconds(6));
  }

  static final double READS_PER_SECOND = 100;
  static final int CONNECTIONS = 16;
  /** "At the onset": reads due in this long after the provider turned slow. */
  static final Duration ONSET = Duration.ofSeconds(3);
  static final Duration SLOWER_BY = Duration.ofSeconds(2);
  /** Riata's default hedge bounds: the delay is the first provider's p95 for the method, but never below this. */
  static final Duration HEDGE_MIN = Duration.ofMillis(50);
  /** All saturated: reads a second offered, and connections. */
  static final double SATURATING_READS = 200;
  static final int SATURATING_CONNECTIONS = 32;
  private static final String METHOD = "eth_getBalance";
  /** Riata's default retry budget (riata.http.failover.retry-budget): ratio and min-per-second. */
  private static final double BUDGET_RATIO = 0.2;
  private static final int BUDGET_FLOOR_PER_SECOND = 10;

  private final ProviderBed bed;
  private final Pace pace;

  ProviderTrouble(ProviderBed bed, Pace pace) {
    this.bed = bed;
    this.pace = pace;
  }

  /**
   * Steady reads; after a while, {@code trouble} starts and lasts to the end of the load. What the
   * scenario reads off it: the reads before and during, and what providers and node counted during.
   */
  private record Run(List<ChaosLoad.Read> before, List<ChaosLoad.Read> during, long neverSent, long upstreamCalls,
                     long upstreamCallsBefore, double hedges, double retriesDenied, ChaosNode.Collections collections,
                     String loopLag) {
    double attemptsPerRead() {
      return during.isEmpty() ? 0 : (double) upstreamCalls / during.size();
    }

    /** Over the whole run, the reads before the trouble included. */
    double attemptsPerReadOverall() {
      int reads = before.size() + during.size();
      return reads == 0 ? 0 : (double) (upstreamCallsBefore + upstreamCalls) / reads;
    }
  }

  private Run steady(double perSecond, int connections, ProviderFaults.Change trouble)
      throws IOException, InterruptedException {
    bed.heal();
    ChaosNode node = bed.nodes.get(0);
    long callsAtStart = upstreamCalls();
    PacedLoad load = PacedLoad.open(node, ProviderBed.CHAIN, perSecond, connections,
        pace.before().plus(pace.trouble()));
    long troubleAt = load.startNanos() + pace.before().toNanos();
    Thread.sleep(Math.max(0, (troubleAt - System.nanoTime()) / 1_000_000));
    long calls = upstreamCalls();
    double hedges = node.metric("riata_hedges_total");
    double denied = node.metric("riata_retries_denied_total");
    long wallFrom = System.currentTimeMillis();
    long from = System.nanoTime();
    trouble.apply(bed);
    load.awaitEnd();
    Run run = new Run(load.reads.stream().filter(r -> r.sentNanos() < from).toList(),
        load.reads.stream().filter(r -> r.sentNanos() >= from).toList(), load.neverSent(), upstreamCalls() - calls,
        calls - callsAtStart, node.metric("riata_hedges_total") - hedges, node.metric("riata_retries_denied_total") - denied,
        node.collections(wallFrom, System.currentTimeMillis()), Overload.loopLag(load));
    bed.heal();
    return run;
  }

  private long upstreamCalls() {
    return bed.sims.stream().mapToLong(sim -> sim.requests(METHOD)).sum();
  }

  Result slowProvider() throws IOException, InterruptedException {
    Run run = steady(READS_PER_SECOND, CONNECTIONS, b -> b.sim(ProviderFaults.TARGET).latency(b.latency.plus(SLOWER_BY)));
    long onsetEnd = run.during().isEmpty() ? 0 : run.during().get(0).sentNanos() + ONSET.toNanos();
    List<ChaosLoad.Read> onset = run.during().stream().filter(r -> r.sentNanos() < onsetEnd).toList();
    Row.Stats before = Row.Stats.of(run.before());
    Row.Stats at = Row.Stats.of(onset);
    Row.Stats during = Row.Stats.of(run.during());
    long targetMs = HEDGE_MIN.toMillis() + 100;
    List<Figure> figures = new ArrayList<>();
    figures.add(new Figure("slowest read in the first " + ONSET.toSeconds() + " s", Row.ms(at.maxMs()),
        "<= hedge delay + 100 ms = " + targetMs + " ms", OverloadFigures.met(at.maxMs() <= targetMs)));
    figures.add(new Figure("p99 while p2 is slow, against before", String.format(Locale.ROOT, "%s against %s (%+.1f ms)",
        Row.ms(during.p99Ms()), Row.ms(before.p99Ms()), during.p99Ms() - before.p99Ms()),
        "<= +50 ms", OverloadFigures.met(during.p99Ms() - before.p99Ms() <= 50)));
    figures.add(attemptsFigure(run));
    long hedged = run.during().stream().filter(ChaosLoad.Read::hedged).count();
    List<String> notes = List.of(String.format(Locale.ROOT,
        "- While p2 was slow: %s; %d reads hedged (the attempt log says so), %.0f hedges counted by the node; "
            + "slowest read over the whole slowness %s; before it: %s; the load's own event loops ran %s.",
        Overload.tally(run.during(), run.neverSent()), hedged, run.hedges(), Row.ms(during.maxMs()),
        Overload.latencies(run.before()), run.loopLag()),
        "- The target takes the hedge delay at its floor, " + HEDGE_MIN.toMillis() + " ms (`riata.http.hedge.min`): "
            + "the delay is p2's recent p95 for the method, which for a provider answering in " + bed.latency.toMillis()
            + " ms is below the floor.");
    return new Result("slow-provider", String.format(Locale.ROOT,
        "%.0f reads/s (open loop, %d connections); after %d s p2 answers %d s slower for %d s", READS_PER_SECOND,
        CONNECTIONS, pace.before().toSeconds(), SLOWER_BY.toSeconds(), pace.trouble().toSeconds()), figures, notes);
  }

  Result brownOut() throws IOException, InterruptedException {
    Run run = steady(READS_PER_SECOND, CONNECTIONS, b -> {
      b.sim("p2").errorEvery(2);
      b.sim("p3").errorEvery(2);
    });
    long ok = run.during().stream().filter(ChaosLoad.Read::ok).count();
    double success = run.during().isEmpty() ? 0 : (double) ok / run.during().size();
    List<Figure> figures = new ArrayList<>();
    // The target is over the run: the budget is a share of first attempts over a sliding window,
    // and the retries at the brown-out's start spend what the first attempts just before it earned.
    double overall = run.attemptsPerReadOverall();
    figures.add(new Figure("upstream attempts per read over the run (" + pace.before().toSeconds() + " s before and "
        + pace.trouble().toSeconds() + " s of brown-out), counted at the providers", String.format(Locale.ROOT,
        "%.2f (%d calls for %d reads)", overall, run.upstreamCallsBefore() + run.upstreamCalls(),
        run.before().size() + run.during().size()), "<= 1.2", OverloadFigures.met(overall <= 1.2)));
    figures.add(new Figure("upstream attempts per read during the brown-out alone", String.format(Locale.ROOT,
        "%.2f (%d calls for %d reads; X-Riata-Attempts says %s)", run.attemptsPerRead(), run.upstreamCalls(),
        run.during().size(), Row.attempts(run.during())), "reported", "-"));
    figures.add(new Figure("reads answered with their result", String.format(Locale.ROOT, "%.1f %% (%d of %d)",
        success * 100, ok, run.during().size()), "reported", "-"));
    List<String> notes = List.of(String.format(Locale.ROOT,
        "- During the brown-out: %s; latency %s; the node denied %.0f retries or hedges for want of budget "
            + "(`riata_retries_denied_total`).", Overload.tally(run.during(), run.neverSent()), Overload.latencies(run.during()),
        run.retriesDenied()), String.format(Locale.ROOT,
        "- With the default retry budget (%.0f %% of first attempts, never fewer than %d a second) the node may retry "
            + "or hedge up to %.2f times per read at %.0f reads/s, so attempts per read can reach %.2f before the budget "
            + "refuses anything.", BUDGET_RATIO * 100, BUDGET_FLOOR_PER_SECOND,
        Math.max(BUDGET_RATIO, BUDGET_FLOOR_PER_SECOND / READS_PER_SECOND), READS_PER_SECOND,
        1 + Math.max(BUDGET_RATIO, BUDGET_FLOOR_PER_SECOND / READS_PER_SECOND)),
        "- The budget counts over a sliding window (`retry-budget.window`, 10 s): when the brown-out starts, the window "
            + "holds the first attempts of the quiet seconds before it and no retries, so the first retries of the "
            + "brown-out spend that; over the brown-out alone attempts per read can exceed 1.2 by that much, over any "
            + "whole window they cannot.");
    return new Result("brown-out", String.format(Locale.ROOT,
        "%.0f reads/s (open loop, %d connections); after %d s p2 and p3 fail every second call (JSON-RPC -32000) "
            + "for %d s", READS_PER_SECOND, CONNECTIONS, pace.before().toSeconds(), pace.trouble().toSeconds()),
        figures, notes);
  }

  private static Figure attemptsFigure(Run run) {
    return new Figure("upstream attempts per read, counted at the providers", String.format(Locale.ROOT,
        "%.2f (%d calls for %d reads; X-Riata-Attempts says %s)", run.attemptsPerRead(), run.upstreamCalls(),
        run.during().size(), Row.attempts(run.during())), "<= 1.2", OverloadFigures.met(run.attemptsPerRead() <= 1.2));
  }

  private static String attemptLog(ChaosLoad.Read read) {
    return read.log().stream().map(a -> a.provider() + "=" + a.outcome()).reduce((a, b) -> a + ", " + b).orElse("");
  }

  /**
   * Every provider at its limit: the bed's providers are slow and allow few requests in flight
   * ({@code max_concurrency}), and the reads offered are many times what they can take.
   */
  Result allSaturated(int maxConcurrency) throws IOException, InterruptedException {
    // The trouble is there from the start: the reads before it only warm the node up.
    Run run = steady(SATURATING_READS, SATURATING_CONNECTIONS, b -> { });
    List<ChaosLoad.Read> refused = run.during().stream().filter(r -> r.status() == 503).toList();
    long withRetryAfter = refused.stream().filter(ChaosLoad.Read::retryAfter).count();
    long[] wire = refused.stream().mapToLong(ChaosLoad.Read::wireNanos).sorted().toArray();
    double p99 = Row.Stats.percentile(wire, 0.99);
    double capacity = bed.sims.size() * maxConcurrency / (bed.latency.toNanos() / 1e9);
    int answeredAttempts = run.during().stream().filter(r -> r.status() == 200).mapToInt(r -> Math.max(0, r.attempts()))
        .sum();
    int refusedAttempts = refused.stream().mapToInt(r -> Math.max(0, r.attempts())).sum();
    List<Figure> figures = new ArrayList<>();
    figures.add(new Figure("503 with Retry-After, p99 from sending to answer", refused.isEmpty()
        ? "no read got a 503" : String.format(Locale.ROOT, "%s (p50 %s, max %s); %d of %d reads got 503, %d of them "
            + "with Retry-After", Row.ms(p99), Row.ms(Row.Stats.percentile(wire, 0.5)),
        Row.ms(wire[wire.length - 1] / 1e6), refused.size(), run.during().size(), withRetryAfter),
        "<= 5 ms", refused.isEmpty() ? "no" : OverloadFigures.met(p99 <= 5 && withRetryAfter == refused.size())));
    List<String> notes = List.of(String.format(Locale.ROOT,
        "- Reads: %s; answers with HTTP 200 %s; the 503s: %s.", Overload.tally(run.during(), run.neverSent()),
        Overload.latencies(run.during().stream().filter(r -> r.status() == 200).toList()),
        refused.isEmpty() ? "none" : ProviderFaults.reasons(refused) + ", e.g. with X-Riata-Attempt-Log `"
            + attemptLog(refused.get(0)) + "`"), String.format(Locale.ROOT,
        "- The providers can answer about %.0f reads/s (%d providers x %d in flight / %d ms); they got %d calls, and "
            + "the answers' X-Riata-Attempts add up to %d for the HTTP 200 answers and %d for the 503s. The node "
            + "collected garbage %d times meanwhile, the longest pause %s; the load's own event loops ran %s.",
        capacity, bed.sims.size(), maxConcurrency, bed.latency.toMillis(), run.upstreamCalls(), answeredAttempts,
        refusedAttempts, run.collections().count(), Row.ms(run.collections().longestPauseMs()), run.loopLag()));
    return new Result("saturated", String.format(Locale.ROOT,
        "One node; providers answering in %d ms with max_concurrency %d each; %.0f reads/s (open loop, %d connections)"
            + " for %d s after %d s of the same", bed.latency.toMillis(), maxConcurrency, SATURATING_READS,
        SATURATING_CONNECTIONS, pace.trouble().toSeconds(), pace.before().toSeconds()), figures, notes);
  }
}
