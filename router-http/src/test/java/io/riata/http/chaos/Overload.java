package io.riata.http.chaos;

import io.riata.http.chaos.OverloadFigures.CpuMark;
import io.riata.http.chaos.OverloadFigures.Figure;
import io.riata.http.chaos.OverloadFigures.Result;
import io.riata.http.data.EventLoops;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One node given more than it can take, its providers answering in the bed's latency (20 ms).
 *
 * <ol>
 *   <li><b>Saturation point</b>: closed-loop clients, doubled from 16 at each step, until good answers
 *   a second stop rising by 5 %; the step with the most is the saturation point, S good answers a
 *   second at C connections.
 *   <li><b>Baseline</b>: a normal load, open loop, S/2 reads a second over C connections.
 *   <li><b>Overload</b>: open loop, 5 S reads a second over 5 C connections. Goodput (good answers
 *   a second), what was shed (HTTP 503) and how fast, and the node's heap after its collections.
 *   <li><b>After</b>: the normal load again from the moment the overload stops; per second of it,
 *   the p99 of the reads due then, until it is back at the baseline's.
 * </ol>
 */
final class Overload {

  /** How long each part lasts. */
  record Pace(Duration warm, Duration step, int maxConnections, int flatSteps, Duration baseline, Duration overload,
              Duration after) {
    static final Pace FULL = new Pace(Duration.ofSeconds(5), Duration.ofSeconds(4), 2048, 2, Duration.ofSeconds(8),
        Duration.ofSeconds(30), Duration.ofSeconds(20));
    static final Pace QUICK = new Pace(Duration.ofSeconds(3), Duration.ofMillis(2500), 1024, 1, Duration.ofSeconds(4),
        Duration.ofSeconds(12), Duration.ofSeconds(12));
  }

  /** One step of the ramp: good answers a second at that many closed-loop connections. */
  record Step(int connections, double goodput, Row.Stats stats, String cpu, String failures) {}

  static final int FACTOR = 5;
  static final int WARM_CONNECTIONS = 256;
  /**
   * The canary: a few reads a second during the overload from a client on an event loop of its
   * own at the usual priority (see {@link RunnerPriority}), whose clock is not behind as the
   * load's own can be.
   */
  static final double CANARY_RATE = 400;
  static final int CANARY_CONNECTIONS = 16;
  private static final EventLoops CANARY_LOOPS = EventLoops.start(1, RunnerPriority.KEPT);
  static final double NORMAL_SHARE = 0.5;
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private final ProviderBed bed;
  private final Pace pace;

  Overload(ProviderBed bed, Pace pace) {
    this.bed = bed;
    this.pace = pace;
  }

  Result run() throws IOException, InterruptedException {
    bed.heal();
    ChaosNode node = bed.nodes.get(0);
    // Warm at a load near the saturation point: a JIT still compiling the paths that a high load
    // takes would be measured as part of the first steps of the ramp.
    PacedLoad.closed(node, ProviderBed.CHAIN, WARM_CONNECTIONS, pace.warm()).awaitEnd();

    List<Step> steps = ramp(node);
    Step saturation = steps.stream().max(Comparator.comparingDouble(Step::goodput)).orElseThrow();
    double s = saturation.goodput();
    int c = saturation.connections();

    PacedLoad normal = PacedLoad.open(node, ProviderBed.CHAIN, s * NORMAL_SHARE, c, pace.baseline());
    normal.awaitEnd();
    Row.Stats baseline = Row.Stats.of(List.copyOf(normal.reads));
    double baselineP99 = Recovery.medianSecondP99(List.copyOf(normal.reads), normal.startNanos());

    double refusedBefore = node.metric("riata_node_requests_refused_total");
    double shedBefore = node.metric("riata_node_requests_shed_total");
    CpuMark cpu = CpuMark.of(node);
    long wallFrom = System.currentTimeMillis();
    long callsBefore = providerCalls();
    PacedLoad over = PacedLoad.open(node, ProviderBed.CHAIN, s * FACTOR, c * FACTOR, pace.overload());
    // When the overload stops, the load drops to normal at once: other clients, connected ahead,
    // start reading at that moment while the overload's last reads finish.
    PacedLoad canary = PacedLoad.open(node, ProviderBed.CHAIN, CANARY_RATE, CANARY_CONNECTIONS,
        Duration.ofNanos(over.endNanos() - System.nanoTime()), 0, CANARY_LOOPS);
    PacedLoad after = PacedLoad.open(node, ProviderBed.CHAIN, s * NORMAL_SHARE, c, pace.after(), over.endNanos());
    long liveKib = -1;
    // When the runner forced that collection (jcmd): the node stops for it, which is the
    // measurement's doing, so the canary's reads in flight meanwhile are left out of its figures.
    long forcedFrom = Long.MAX_VALUE;
    long forcedTo = Long.MIN_VALUE;
    long mostInFlight = -1;
    double mostLagSeconds = -1;
    double leastShare = -1;
    Sockets sockets = Sockets.UNKNOWN;
    // Probes stop 5 s before the drop, so that none is still running into the recovery.
    while (System.nanoTime() < over.endNanos() - 5 * SECOND) {
      if (liveKib < 0 && over.endNanos() - System.nanoTime() < 8 * SECOND) {
        forcedFrom = System.nanoTime();
        liveKib = node.heapAfterGcKib(); // a full collection while the overload is on: what is really held
        forcedTo = System.nanoTime();
      }
      mostInFlight = Math.max(mostInFlight, (long) node.metric("riata_node_requests_in_flight"));
      mostLagSeconds = Math.max(mostLagSeconds, node.metric("riata_event_loop_lag_seconds"));
      double share = node.metric("riata_node_admitted_share");
      leastShare = share < 0 ? leastShare : leastShare < 0 ? share : Math.min(leastShare, share);
      sockets = sockets.most(Sockets.of(node.httpPort));
      Thread.sleep(2000);
    }
    Thread.sleep(Math.max(0, (over.endNanos() - System.nanoTime()) / 1_000_000));
    String overCpu = cpu.since(node);
    long calls = providerCalls() - callsBefore;
    long wallTo = System.currentTimeMillis();
    over.awaitEnd();
    canary.awaitEnd();
    after.awaitEnd();
    // Read from the node only now: a scrape costs it CPU, which would show in the recovery.
    ChaosNode.Collections collections = node.collections(wallFrom, wallTo);
    double refused = node.metric("riata_node_requests_refused_total") - refusedBefore;
    double shedOnLag = node.metric("riata_node_requests_shed_total") - shedBefore;

    List<ChaosLoad.Read> overReads = List.copyOf(over.reads);
    long dropAt = over.endNanos();
    long good = overReads.stream().filter(r -> r.ok() && r.doneNanos() < dropAt).count();
    long prompt = overReads.stream().filter(r -> r.ok() && r.doneNanos() < dropAt && r.latencyNanos() <= SECOND).count();
    double seconds = pace.overload().toNanos() / 1e9;
    double goodput = good / seconds;
    List<ChaosLoad.Read> shed = overReads.stream().filter(r -> r.status() == 503).toList();
    long pauseFrom = forcedFrom;
    long pauseTo = forcedTo;
    List<ChaosLoad.Read> canaryAll = List.copyOf(canary.reads);
    List<ChaosLoad.Read> canaryReads = canaryAll.stream()
        .filter(r -> r.doneNanos() < pauseFrom || r.sentNanos() + r.queuedNanos() > pauseTo).toList();
    Recovery recovery = Recovery.of(List.copyOf(after.reads), after.startNanos(), dropAt, baselineP99);

    List<Figure> figures = new ArrayList<>();
    figures.add(new Figure("saturation goodput", String.format(Locale.ROOT,
        "%.0f good answers/s at %d closed-loop connections (p99 %s)", s, c, Row.ms(saturation.stats().p99Ms())),
        "-", "-"));
    double ratio = goodput / s;
    figures.add(new Figure(String.format(Locale.ROOT, "goodput at 5x (%.0f reads/s offered over %d connections, %d s)",
        s * FACTOR, c * FACTOR, pace.overload().toSeconds()),
        String.format(Locale.ROOT, "%.0f good answers/s = %.0f %% of saturation (%.0f/s within 1 s of being due)",
            goodput, ratio * 100, prompt / seconds),
        ">= 90 %", OverloadFigures.met(ratio >= 0.9)));
    figures.add(shedFigure(shed, overReads.size() + over.neverSent(), canaryReads, over, canary));
    figures.add(heapFigure(collections, liveKib));
    figures.add(new Figure("p99 back to baseline after the load drops", recovery.text(),
        "<= 10 s", recovery.seconds() < 0 ? "no" : OverloadFigures.met(recovery.seconds() <= 10)));

    List<String> notes = new ArrayList<>();
    notes.add("Ramp (closed loop, " + pace.step().toMillis() / 1000.0 + " s a step, the first quarter of each left out):");
    notes.add("");
    notes.add("| connections | good answers/s | p50 | p99 | failed | CPU |");
    notes.add("|---|---|---|---|---|---|");
    for (Step step : steps) {
      notes.add(String.format(Locale.ROOT, "| %d | %.0f | %s | %s | %d | %s |", step.connections(), step.goodput(),
          Row.ms(step.stats().p50Ms()), Row.ms(step.stats().p99Ms()), step.stats().failed(), step.cpu()));
    }
    notes.add("");
    for (Step step : steps) {
      if (step.stats().failed() > 0) {
        notes.add("- Failed reads at " + step.connections() + " connections: " + step.failures() + ".");
      }
    }
    notes.add(String.format(Locale.ROOT, "- Baseline: %.0f reads/s over %d connections for %d s: p50 %s, p99 %s "
            + "(median of its seconds' p99s %s), %d failed.", s * NORMAL_SHARE, c, pace.baseline().toSeconds(),
        Row.ms(baseline.p50Ms()), Row.ms(baseline.p99Ms()), Row.ms(baselineP99), baseline.failed()));
    notes.add("- At 5x: " + tally(overReads, over.neverSent()) + "; good answers took " + latencies(overReads.stream()
        .filter(ChaosLoad.Read::ok).toList()) + " from when they were due; the node counted " + count(refused)
        + " refusals (`riata_node_requests_refused_total`) and shed " + count(shedOnLag) + " at intake because an "
        + "event loop was behind (`riata_node_requests_shed_total`); in flight on the node at most "
        + count(mostInFlight) + " (`riata_node_requests_in_flight`, sampled every 2 s until 5 s before the drop, as "
        + "are the next five); the node's event loops ran up to " + lagMs(mostLagSeconds) + " late (the most in a "
        + "second, `riata_event_loop_lag_seconds`), admitting at least " + share(leastShare) + " of new requests "
        + "(`riata_node_admitted_share`); bytes received and not yet read at most " + count(sockets.unreadByNode()) + " by the node, "
        + count(sockets.unreadByClients()) + " by the load's clients (the side with more is behind); TCP sockets "
        + "of the machine in TIME_WAIT at most " + count(sockets.timeWait()) + " (local ports " + localPorts()
        + "); the load's own event loops ran " + loopLag(over) + "; CPU " + overCpu + "; the providers answered "
        + String.format(Locale.ROOT, "%.0f", calls / seconds) + " reads a second meanwhile (counted there, whenever "
        + "the clients took the answers in).");
    notes.add(String.format(Locale.ROOT, "- The canary at 5x (%.0f reads/s over %d connections on an event loop of its "
        + "own, at the usual priority): ", CANARY_RATE, CANARY_CONNECTIONS) + tally(canaryReads, canary.neverSent())
        + "; good answers took " + latencies(canaryReads.stream().filter(ChaosLoad.Read::ok).toList())
        + " from when they were due; its event loop ran " + loopLag(canary) + "; "
        + (canaryAll.size() - canaryReads.size()) + " more reads were in flight while the runner forced the full "
        + "collection above (jcmd), a pause of the measurement's own making, and are left out of the canary's "
        + "figures.");
    notes.add("- After the drop: p99 of the reads due in each second (threshold " + Row.ms(recovery.thresholdMs())
        + "): " + recovery.windows() + ".");
    return new Result("overload", String.format(Locale.ROOT,
        "One node, providers answering in %d ms, admission at its default", bed.latency.toMillis()), figures, notes);
  }

  /** {@code eth_getBalance} calls the providers received so far. */
  private long providerCalls() {
    return bed.sims.stream().mapToLong(sim -> sim.requests("eth_getBalance")).sum();
  }

  /** Doubles closed-loop connections from 16 until good answers a second stop rising by 5 % for {@code flatSteps} steps. */
  private List<Step> ramp(ChaosNode node) throws InterruptedException {
    List<Step> steps = new ArrayList<>();
    double best = 0;
    int flat = 0;
    for (int connections = 16; connections <= pace.maxConnections(); connections *= 2) {
      CpuMark cpu = CpuMark.of(node);
      PacedLoad load = PacedLoad.closed(node, ProviderBed.CHAIN, connections, pace.step());
      load.awaitEnd();
      long from = load.startNanos() + pace.step().toNanos() / 4;
      long to = load.endNanos();
      List<ChaosLoad.Read> counted = load.reads.stream().filter(r -> r.sentNanos() >= from && r.sentNanos() < to)
          .toList();
      double goodput = load.reads.stream().filter(r -> r.ok() && r.doneNanos() >= from && r.doneNanos() < to).count()
          / ((to - from) / 1e9);
      Step step = new Step(connections, goodput, Row.Stats.of(counted), cpu.since(node),
          ProviderFaults.reasons(counted));
      steps.add(step);
      ChaosMatrix.log(String.format(Locale.ROOT, "  %d connections: %.0f good answers/s, p99 %s, CPU %s", connections,
          goodput, Row.ms(step.stats().p99Ms()), step.cpu()));
      if (goodput > best * 1.05) {
        best = goodput;
        flat = 0;
      } else if (++flat >= pace.flatSteps()) {
        break;
      }
    }
    return steps;
  }

  /**
   * How fast shed reads were answered, from the moment they left the client: as the canary saw
   * them (its clock is on time), and as the load's own clients did (their clock runs as late as
   * their event loops). The target is judged on the canary's when it saw enough sheds for a p99.
   */
  private static Figure shedFigure(List<ChaosLoad.Read> shed, long reads, List<ChaosLoad.Read> canaryReads,
                                   PacedLoad over, PacedLoad canary) {
    String measure = "shed answers (HTTP 503), p99 from sending to answer";
    List<ChaosLoad.Read> canaryShed = canaryReads.stream().filter(r -> r.status() == 503).toList();
    if (shed.isEmpty() && canaryShed.isEmpty()) {
      return new Figure(measure, "nothing was shed", "<= 5 ms", "-");
    }
    String crowd = "nothing";
    if (!shed.isEmpty()) {
      long[] wire = shed.stream().mapToLong(ChaosLoad.Read::wireNanos).sorted().toArray();
      long withRetryAfter = shed.stream().filter(ChaosLoad.Read::retryAfter).count();
      crowd = String.format(Locale.ROOT, "p99 %s (p50 %s, max %s) for its %d shed = %.0f %% of the reads; "
              + "Retry-After on %d; %s", Row.ms(Row.Stats.percentile(wire, 0.99)),
          Row.ms(Row.Stats.percentile(wire, 0.5)), Row.ms(wire[wire.length - 1] / 1e6), shed.size(),
          100.0 * shed.size() / reads, withRetryAfter, ProviderFaults.reasons(shed));
    }
    String crowdNote = "the load's own clients (event loops " + loopLag(over) + ") saw " + crowd;
    if (canaryShed.size() < 100) {
      return new Figure(measure, String.format(Locale.ROOT, "the canary had %d of %d reads shed, too few for a "
          + "p99; %s", canaryShed.size(), canaryReads.size(), crowdNote), "<= 5 ms", "-");
    }
    long[] wire = canaryShed.stream().mapToLong(ChaosLoad.Read::wireNanos).sorted().toArray();
    double p99 = Row.Stats.percentile(wire, 0.99);
    long withRetryAfter = canaryShed.stream().filter(ChaosLoad.Read::retryAfter).count();
    return new Figure(measure, String.format(Locale.ROOT,
        "%s on the canary (p50 %s, max %s; %d of its %d reads shed, Retry-After on %d; its event loop %s); %s",
        Row.ms(p99), Row.ms(Row.Stats.percentile(wire, 0.5)), Row.ms(wire[wire.length - 1] / 1e6),
        canaryShed.size(), canaryReads.size(), withRetryAfter, loopLag(canary), crowdNote), "<= 5 ms",
        OverloadFigures.met(p99 <= 5));
  }

  /**
   * What the node held: judged on the heap left after full collections in the node's GC log (the
   * one the runner forces near the end, and any the node ran itself), which is what was live.
   * The most left after any collection is given beside it as an upper bound: with SerialGC a
   * young collection leaves the old generation's garbage in place, and one that cannot promote
   * logs the whole heap just before the full collection it turns into. Without a full collection
   * in the log, the heap jcmd saw just after forcing one is judged, and failing that the bound.
   */
  private static Figure heapFigure(ChaosNode.Collections collections, long liveKib) {
    String measure = "heap after GC during 5x (of -Xmx" + ChaosNode.MAX_HEAP_MIB + "m)";
    List<String> parts = new ArrayList<>();
    long judged;
    if (collections.fullCount() > 0) {
      judged = collections.mostAfterFullKib();
      parts.add(String.format(Locale.ROOT, "at most %s after any of %d full collections%s", heapShare(judged),
          collections.fullCount(), liveKib >= 0 ? " (the runner forced one near the end)" : ""));
    } else if (liveKib >= 0) {
      judged = liveKib;
      parts.add(heapShare(liveKib) + " in use just after a full collection the runner forced near the end");
    } else {
      judged = collections.mostAfterKib();
      parts.add("no full collection seen (jcmd failed)");
    }
    if (collections.mostAfterKib() >= 0) {
      parts.add(String.format(Locale.ROOT, "at most %s after any of %d collections, young ones included, "
          + "an upper bound (longest pause %s)", heapShare(collections.mostAfterKib()), collections.count(),
          Row.ms(collections.longestPauseMs())));
    } else {
      parts.add("no collection logged");
    }
    return new Figure(measure, String.join("; ", parts), "< 80 %",
        judged < 0 ? "-" : OverloadFigures.met(judged < ChaosNode.MAX_HEAP_MIB * 1024L * 8 / 10));
  }

  private static String heapShare(long kib) {
    return String.format(Locale.ROOT, "%d MiB = %.0f %%", kib / 1024, 100.0 * kib / (ChaosNode.MAX_HEAP_MIB * 1024.0));
  }

  /** How the reads of a load ended: good, shed, other errors (timeouts among them), never sent. */
  static String tally(List<ChaosLoad.Read> reads, long notSent) {
    long ok = reads.stream().filter(ChaosLoad.Read::ok).count();
    long shed = reads.stream().filter(r -> r.status() == 503).count();
    long otherFailed = reads.size() - ok - shed;
    List<ChaosLoad.Read> other = reads.stream().filter(r -> !r.ok() && r.status() != 503).toList();
    String failures = other.isEmpty() ? ""
        : " (" + ProviderFaults.reasons(other) + "; the first: `" + other.get(0).problem().replace('`', '\'') + "`)";
    return String.format(Locale.ROOT, "%d reads due, %d good, %d shed (503), %d other failures%s, %d never sent "
        + "(no free connection in time)", reads.size() + notSent, ok, shed, otherFailed, failures, notSent);
  }

  /** p50, p99 and max of the reads' latency from when they were due, e.g. {@code p50 3.1 ms, p99 9.8 ms, max 20 ms}. */
  static String latencies(List<ChaosLoad.Read> reads) {
    if (reads.isEmpty()) {
      return "(none)";
    }
    Row.Stats stats = Row.Stats.of(reads);
    return "p50 " + Row.ms(stats.p50Ms()) + ", p99 " + Row.ms(stats.p99Ms()) + ", max " + Row.ms(stats.maxMs());
  }

  /**
   * What the machine's TCP sockets hold, from /proc/net/tcp and tcp6 (Java's sockets are IPv6
   * ones, even to 127.0.0.1): sockets in TIME_WAIT (closed, their port not yet free again), and
   * bytes received but not yet read on the node's side of its RPC port's connections (requests
   * it has not taken in) and on the clients' side (answers the load has not taken in). The last
   * two say which side is behind. -1 each when unreadable.
   */
  record Sockets(long timeWait, long unreadByNode, long unreadByClients) {
    static final Sockets UNKNOWN = new Sockets(-1, -1, -1);

    static Sockets of(int nodePort) {
      String port = String.format(Locale.ROOT, ":%04X", nodePort);
      long timeWait = 0;
      long byNode = 0;
      long byClients = 0;
      for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
        try {
          List<String> lines = Files.readAllLines(Path.of(table));
          for (String line : lines.subList(1, lines.size())) {
            String[] f = line.trim().split("\\s+");
            long unread = Long.parseLong(f[4].substring(f[4].indexOf(':') + 1), 16);
            timeWait += f[3].equals("06") ? 1 : 0;
            byNode += f[1].endsWith(port) ? unread : 0;
            byClients += f[2].endsWith(port) ? unread : 0;
          }
        } catch (IOException | RuntimeException e) {
          return UNKNOWN;
        }
      }
      return new Sockets(timeWait, byNode, byClients);
    }

    Sockets most(Sockets other) {
      return new Sockets(Math.max(timeWait, other.timeWait), Math.max(unreadByNode, other.unreadByNode),
          Math.max(unreadByClients, other.unreadByClients));
    }
  }

  private static String localPorts() {
    try {
      // Read as lines: a /proc/sys file read with a guessed size of 0 comes back cut short.
      String[] range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+");
      return range[0] + " .. " + range[1];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  /** How far behind the load's event loops were, e.g. {@code up to 12 ms late (p99 8.1 ms)}. */
  static String loopLag(PacedLoad load) {
    long[] lags = load.loopLags();
    return lags.length == 0 ? "(not measured)" : "up to " + Row.ms(lags[lags.length - 1] / 1e6) + " late (p99 "
        + Row.ms(Row.Stats.percentile(lags, 0.99)) + ")";
  }

  private static String lagMs(double seconds) {
    return seconds < 0 ? "(unknown)" : Row.ms(seconds * 1000);
  }

  private static String share(double share) {
    return share < 0 ? "(unknown)" : String.format(Locale.ROOT, "%.0f %%", share * 100);
  }

  private static String count(double value) {
    return value < 0 ? "(unknown)" : String.format(Locale.ROOT, "%.0f", value);
  }

  /**
   * When p99 was back: the reads of the normal load after the drop, cut into seconds by when they
   * were due; back is the start of the first of {@link #STEADY} seconds in a row whose p99 stays
   * within the threshold, 1.5 times the baseline's p99 or that plus 5 ms, whichever is more. The
   * baseline's p99 is the median of its seconds' p99s, so one disturbed second (a busy machine)
   * does not set it.
   */
  record Recovery(double seconds, double thresholdMs, String windows) {
    static final int STEADY = 3;

    /** The p99 of each second of {@code reads} by when they were due, from {@code startNanos}; none for an empty second. */
    static List<Double> secondP99s(List<ChaosLoad.Read> reads, long startNanos) {
      long last = reads.stream().mapToLong(ChaosLoad.Read::sentNanos).max().orElse(startNanos);
      List<Double> p99s = new ArrayList<>();
      for (long from = startNanos; from <= last; from += SECOND) {
        long lo = from;
        List<ChaosLoad.Read> window = reads.stream().filter(r -> r.sentNanos() >= lo && r.sentNanos() < lo + SECOND)
            .toList();
        p99s.add(window.isEmpty() ? Double.NaN : Row.Stats.of(window).p99Ms());
      }
      return p99s;
    }

    static double medianSecondP99(List<ChaosLoad.Read> reads, long startNanos) {
      double[] p99s = secondP99s(reads, startNanos).stream().filter(d -> !d.isNaN()).mapToDouble(d -> d).sorted()
          .toArray();
      return p99s.length == 0 ? 0 : p99s[(p99s.length - 1) / 2];
    }

    static Recovery of(List<ChaosLoad.Read> reads, long startNanos, long dropNanos, double baselineP99Ms) {
      double threshold = Math.max(baselineP99Ms * 1.5, baselineP99Ms + 5);
      List<Double> p99s = secondP99s(reads, startNanos);
      int back = -1;
      for (int w = 0; w < p99s.size() && back < 0; w++) {
        int steady = 0;
        for (int v = w; v < p99s.size() && v < w + STEADY && !(p99s.get(v) > threshold); v++) {
          steady++;
        }
        if (steady == Math.min(STEADY, p99s.size() - w) && !p99s.get(w).isNaN()) {
          back = w;
        }
      }
      double seconds = back < 0 ? -1 : Math.max(0, (startNanos + back * SECOND - dropNanos) / 1e9);
      List<String> shown = p99s.stream().map(d -> d.isNaN() ? "-" : Row.ms(d)).toList();
      return new Recovery(seconds, threshold, String.join(", ", shown));
    }

    String text() {
      return seconds < 0 ? "not back within the " + windows.split(", ").length + " s watched"
          : String.format(Locale.ROOT, "%.1f s (then %d seconds in a row with p99 within %s)",
              seconds, STEADY, Row.ms(thresholdMs));
    }
  }
}
