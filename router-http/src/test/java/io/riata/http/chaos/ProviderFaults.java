package io.riata.http.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.riata.http.TestNodes;
import io.riata.http.sim.Fault;
import io.riata.http.sim.SimulatedProvider;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Faults of providers, one at a time, against one node under steady reads. Each scenario: reads
 * for a warm-up, the fault on p2 for a fixed hold, then the fault cleared and a wait until p2
 * answers reads again. Exclusion is read from the node's admin API (polled every 100 ms); recovery
 * is the first read after the fault was cleared that p2 answered.
 */
final class ProviderFaults {

  /** How long each part lasts and how hard the clients read. */
  record Pace(Duration warm, Duration hold, Duration recoveryLimit, int clients, Duration pause) {
    static final Pace FULL = new Pace(Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(45), 4,
        Duration.ofMillis(10));
    static final Pace QUICK = new Pace(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(30), 3,
        Duration.ofMillis(10));
  }

  /** A change to the providers: a fault, or its end. */
  interface Change {
    void apply(ProviderBed bed) throws IOException;
  }

  /** Something watched while the fault is on, called at every poll; what it saw goes into the notes. */
  interface Watch {
    void tick(ProviderBed bed);

    String note();
  }

  /** A provider fault and how to end it. */
  record Scenario(String id, String description, Change inject, Change clear, Watch watch) {}

  /** The row and the raw figures behind it, for assertions. */
  record Outcome(Row row, int reads, int failed, long excludedAfterNanos, int triedAfterExclusion,
                 long backAfterNanos, List<String> triedWhileExcluded) {}

  static final String TARGET = "p2";

  static List<Scenario> scenarios() {
    return List.of(
        new Scenario("provider-killed", "p2 killed: connections refused",
            bed -> bed.sim(TARGET).kill(), bed -> bed.sim(TARGET).revive(), null),
        fault("connection-reset", "p2 closes every connection without answering", Fault.RESET),
        fault("black-hole", "p2 reads requests and never answers", Fault.HANG),
        fault("http-500", "p2 answers HTTP 500", Fault.HTTP_500),
        fault("http-429", "p2 answers HTTP 429 with Retry-After: 5", Fault.RATE_LIMITED),
        fault("html-garbage", "p2 answers HTTP 200 with an HTML error page", Fault.HTML),
        new Scenario("latency-2s", "p2 answers 2 s late",
            bed -> bed.sim(TARGET).latency(Duration.ofSeconds(2)),
            bed -> bed.sim(TARGET).latency(bed.latency), null),
        new Scenario("behind-50", "p2's head 50 blocks behind the others (and advancing)",
            bed -> bed.sim(TARGET).head(bed.sim("p1").head() - 50),
            bed -> bed.sim(TARGET).head(bed.sim("p1").head()), null),
        new Scenario("rogue-head", "p2 reports a head 10,000 blocks ahead",
            bed -> bed.sim(TARGET).head(bed.sim("p1").head() + 10_000),
            bed -> bed.sim(TARGET).head(bed.sim("p1").head()), new ServedHeadWatch()));
  }

  private static Scenario fault(String id, String description, Fault fault) {
    return new Scenario(id, description, bed -> bed.sim(TARGET).fault(fault), bed -> bed.sim(TARGET).fault(Fault.NONE),
        null);
  }

  private final ProviderBed bed;
  private final Pace pace;

  ProviderFaults(ProviderBed bed, Pace pace) {
    this.bed = bed;
    this.pace = pace;
  }

  Outcome run(Scenario scenario) throws IOException, InterruptedException {
    bed.heal();
    ChaosNode node = bed.nodes.get(0);
    String path = "/admin/providers/" + TARGET;
    long excludedAt = -1;
    // Every poll of the node's view of p2 while the fault is on: when, and whether it was excluded.
    List<long[]> polls = new ArrayList<>();
    long backAdminAt = -1;
    long t0;
    long t1;
    long end;
    ChaosLoad load = load();
    try (load) {
      Thread.sleep(pace.warm().toMillis());
      t0 = System.nanoTime();
      scenario.inject().apply(bed);
      while (System.nanoTime() - t0 < pace.hold().toNanos()) {
        boolean excluded = ProviderBed.excluded(node.admin(path));
        long polled = System.nanoTime();
        polls.add(new long[] {polled, excluded ? 1 : 0});
        if (excludedAt < 0 && excluded) {
          excludedAt = polled;
        }
        if (scenario.watch() != null) {
          scenario.watch().tick(bed);
        }
        Thread.sleep(100);
      }
      t1 = System.nanoTime();
      scenario.clear().apply(bed);
      final long cleared = t1;
      while (System.nanoTime() - t1 < pace.recoveryLimit().toNanos()) {
        if (backAdminAt < 0 && ProviderBed.healthy(node.admin(path))) {
          backAdminAt = System.nanoTime();
        }
        boolean served = !load.matching(r -> r.sentNanos() >= cleared && r.servedBy(TARGET)).isEmpty();
        if (backAdminAt >= 0 && served) {
          break;
        }
        Thread.sleep(100);
      }
      Thread.sleep(500);
      end = System.nanoTime();
    }
    List<ChaosLoad.Read> window = load.sentBetween(t0, end);
    List<ChaosLoad.Read> during = load.sentBetween(t0, t1);
    Row.Stats stats = Row.Stats.of(window);
    long excludedFrom = excludedAt;
    int triedDuring = (int) during.stream().filter(r -> r.triedProvider(TARGET)).count();
    int triedAfter = excludedAt < 0 ? -1
        : (int) during.stream().filter(r -> r.sentNanos() >= excludedFrom && r.triedProvider(TARGET)).count();
    // Sent while p2 was excluded at the polls on both sides of it. A node's own trip lasts a
    // second (cluster.local-trip.duration); when it ends before the cluster's breaker has opened,
    // p2 is a candidate again and a read may find it still failing, which is the design.
    List<String> triedWhileExcluded = during.stream()
        .filter(r -> r.triedProvider(TARGET) && excludedAround(polls, r.sentNanos()))
        .map(r -> String.format(Locale.ROOT, "read sent %.0f ms after the first exclusion: %s",
            (r.sentNanos() - excludedFrom) / 1e6, r.log()))
        .toList();
    final long cleared = t1;
    long back = load.reads.stream().filter(r -> r.sentNanos() >= cleared && r.servedBy(TARGET))
        .mapToLong(ChaosLoad.Read::doneNanos).min().orElse(-1);
    long excludedAfter = excludedAt < 0 ? -1 : excludedAt - t0;
    long backAfter = back < 0 ? -1 : back - t1;
    StringBuilder notes = new StringBuilder(String.format(Locale.ROOT,
        "%s tried in %d reads during the fault, %s after its first exclusion (%d while excluded); cluster state "
            + "healthy again %s after clearing",
        TARGET, triedDuring, triedAfter < 0 ? "-" : Integer.toString(triedAfter), triedWhileExcluded.size(),
        Row.seconds(backAdminAt < 0 ? -1 : backAdminAt - t1)));
    long hedged = during.stream().filter(ChaosLoad.Read::hedged).count();
    if (hedged > 0) {
      notes.append("; ").append(hedged).append(" reads hedged during the fault");
    }
    if (stats.failed() > 0) {
      notes.append("; failures: ").append(reasons(window));
    }
    if (scenario.watch() != null) {
      notes.append("; ").append(scenario.watch().note());
    }
    Row row = new Row(scenario.id(), scenario.description(), Integer.toString(stats.reads()),
        Integer.toString(stats.failed()), Row.ms(stats.p50Ms()), Row.ms(stats.p99Ms()) + " (max " + Row.ms(stats.maxMs()) + ")",
        Row.seconds(excludedAfter), Row.seconds(backAfter), Row.attempts(during), notes.toString());
    return new Outcome(row, stats.reads(), stats.failed(), excludedAfter, triedAfter, backAfter, triedWhileExcluded);
  }

  /** Whether the last poll at or before {@code nanos} and the first after it both saw p2 excluded. */
  private static boolean excludedAround(List<long[]> polls, long nanos) {
    for (int i = 0; i + 1 < polls.size(); i++) {
      if (polls.get(i)[0] <= nanos && polls.get(i + 1)[0] > nanos) {
        return polls.get(i)[1] == 1 && polls.get(i + 1)[1] == 1;
      }
    }
    return false;
  }

  /** Reads for one scenario, bounded by its phases plus a margin. */
  private ChaosLoad load() {
    return new ChaosLoad(() -> bed.nodes, ProviderBed.CHAIN, pace.clients(), pace.pause(),
        pace.warm().plus(pace.hold()).plus(pace.recoveryLimit()).plusSeconds(10), 200_000);
  }

  /** All three providers killed: what clients get, and how fast, until they come back. */
  Outcome allDown() throws IOException, InterruptedException {
    bed.heal();
    long t0;
    long t1;
    long end;
    ChaosLoad load = load();
    try (load) {
      Thread.sleep(pace.warm().toMillis());
      t0 = System.nanoTime();
      bed.sims.forEach(SimulatedProvider::kill);
      Thread.sleep(pace.hold().toMillis());
      t1 = System.nanoTime();
      for (SimulatedProvider sim : bed.sims) {
        sim.revive();
      }
      final long revived = t1;
      while (System.nanoTime() - t1 < pace.recoveryLimit().toNanos()
          && load.matching(r -> r.sentNanos() >= revived && r.ok()).isEmpty()) {
        Thread.sleep(100);
      }
      Thread.sleep(500);
      end = System.nanoTime();
    }
    List<ChaosLoad.Read> during = load.sentBetween(t0, t1);
    Row.Stats stats = Row.Stats.of(during);
    final long revived = t1;
    long firstOk = load.reads.stream().filter(r -> r.sentNanos() >= revived && r.ok())
        .mapToLong(ChaosLoad.Read::doneNanos).min().orElse(-1);
    List<ChaosLoad.Read> after = load.sentBetween(t1, end);
    int failedAfter = (int) after.stream().filter(r -> !r.ok()).count();
    String got = reasons(during);
    Row row = new Row("all-down", "p1, p2 and p3 killed", Integer.toString(stats.reads()),
        "by design: " + stats.failed() + " errors (" + got + ")", Row.ms(stats.p50Ms()),
        Row.ms(stats.p99Ms()) + " (max " + Row.ms(stats.maxMs()) + ")", Row.NONE,
        Row.seconds(firstOk < 0 ? -1 : firstOk - t1), Row.attempts(during),
        String.format(Locale.ROOT, "no read hung; %d reads after the providers came back, %d of them failed%s",
            after.size(), failedAfter, failedAfter > 0 ? " (" + reasons(after) + ")" : ""));
    return new Outcome(row, stats.reads(), stats.failed(), -1, -1, firstOk < 0 ? -1 : firstOk - t1, List.of());
  }

  /** The reasons reads failed, most common first, e.g. {@code 120x JSON-RPC -32051, 2x HttpTimeoutException}. */
  static String reasons(List<ChaosLoad.Read> reads) {
    Map<String, Integer> counts = new TreeMap<>();
    for (ChaosLoad.Read r : reads) {
      if (!r.ok()) {
        String reason = r.errorCode() != 0 ? "JSON-RPC " + r.errorCode()
            : r.problem().length() > 40 ? r.problem().substring(0, 40) + "..." : r.problem();
        counts.merge(reason, 1, Integer::sum);
      }
    }
    List<String> parts = new ArrayList<>();
    counts.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue())
        .forEach(e -> parts.add(e.getValue() + "x " + e.getKey()));
    return String.join(", ", parts);
  }

  /** Asks the node for eth_blockNumber at every tick and keeps how far above the honest head an answer went. */
  static final class ServedHeadWatch implements Watch {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private long maxAbove = Long.MIN_VALUE;
    private int asked;

    @Override
    public void tick(ProviderBed bed) {
      try {
        ChaosNode node = bed.nodes.get(0);
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + node.httpPort + "/rpc/" + ProviderBed.CHAIN))
            .timeout(Duration.ofSeconds(2)).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(TestNodes.call("eth_blockNumber", "[]", 1))).build(),
            HttpResponse.BodyHandlers.ofString());
        JsonNode result = TestNodes.json(r.body()).path("result");
        if (result.isTextual()) {
          long honest = Math.max(bed.sim("p1").head(), bed.sim("p3").head());
          maxAbove = Math.max(maxAbove, Long.decode(result.asText()) - honest);
          asked++;
        }
      } catch (IOException | RuntimeException e) {
        // counted by the load; the watch only looks at answers
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public String note() {
      return asked == 0 ? "eth_blockNumber not answered during the fault"
          : String.format(Locale.ROOT, "highest eth_blockNumber served during the fault: %+d vs the honest providers' head"
              + " (%d asks)", maxAbove, asked);
    }
  }
}
