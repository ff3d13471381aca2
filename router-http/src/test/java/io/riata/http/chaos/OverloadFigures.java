package io.riata.http.chaos;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The overload figures ({@code deploy/chaos/run.sh --overload}): a slow provider, a brown-out and
 * five times the saturation point against one node whose providers answer in 20 ms, then every
 * provider at its concurrency limit against another; written into {@code docs/overload.md}
 * below its marker, beside the targets they are held to. Timings are measured and reported here,
 * never asserted.
 */
final class OverloadFigures {

  static final String MARKER =
      "<!-- Everything below is written by deploy/chaos/run.sh --overload; edits there are lost. -->";
  static final List<String> IDS = List.of("slow-provider", "brown-out", "overload", "saturated");
  /** How long the providers of the first node take to answer. */
  static final Duration PROVIDER_LATENCY = Duration.ofMillis(20);
  /** All saturated: each provider's answer time and the requests it may have in flight. */
  static final Duration SATURATED_LATENCY = Duration.ofMillis(200);
  static final int SATURATED_MAX_CONCURRENCY = 2;

  /** One line of the table: what was measured, the value, its target and whether it was met ("yes", "no", "-"). */
  record Figure(String measure, String value, String target, String met) {}

  /** A scenario's figures, its setup in a sentence, and markdown lines that say more. */
  record Result(String id, String setup, List<Figure> figures, List<String> notes) {}

  /**
   * CPU used by the node and by this runner from a moment on; of the runner's, the share of the
   * load's event loop ({@code riata-data} threads) and of the simulated providers' threads.
   */
  record CpuMark(long nodeMillis, long runnerMillis, long loadNanos, long providersNanos, long atNanos) {
    static CpuMark of(ChaosNode node) {
      return new CpuMark(node.cpuMillis(), ChaosNode.cpuMillis(ProcessHandle.current().pid()),
          threadCpuNanos("riata-data"), threadCpuNanos("riata-sim", "HTTP-Dispatcher"), System.nanoTime());
    }

    /** E.g. {@code node 1.42 cores; runner 0.51 (load 0.12, providers 0.35)}. */
    String since(ChaosNode node) {
      CpuMark now = of(node);
      double seconds = (now.atNanos - atNanos) / 1e9;
      return String.format(Locale.ROOT, "node %.2f cores; runner %.2f (load %.2f, providers %.2f)",
          (now.nodeMillis - nodeMillis) / 1000.0 / seconds, (now.runnerMillis - runnerMillis) / 1000.0 / seconds,
          (now.loadNanos - loadNanos) / 1e9 / seconds, (now.providersNanos - providersNanos) / 1e9 / seconds);
    }

    /** CPU time of this JVM's live threads whose names start with one of {@code prefixes}. */
    private static long threadCpuNanos(String... prefixes) {
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      long sum = 0;
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        for (String prefix : prefixes) {
          if (t.getName().startsWith(prefix)) {
            sum += Math.max(0, threads.getThreadCpuTime(t.getId()));
            break;
          }
        }
      }
      return sum;
    }
  }

  static String met(boolean met) {
    return met ? "yes" : "no";
  }

  private OverloadFigures() {}

  static void run(ChaosMatrix.Options options) throws Exception {
    Instant started = Instant.now();
    long t0 = System.nanoTime();
    String loadAtStart = ReliabilityReport.loadAverage();
    List<Result> results = new ArrayList<>();
    RunnerPriority priority = RunnerPriority.lower();
    try {
      run(options, results);
    } finally {
      priority.close();
      String section = section(options, results, started, Duration.ofNanos(System.nanoTime() - t0), loadAtStart,
          priority.lowered());
      System.out.println(section);
      if (options.out() != null) {
        ReliabilityReport.write(options.out(), MARKER, "# Overload and slow providers", section);
        System.out.println("written to " + options.out());
      }
    }
  }

  private static void run(ChaosMatrix.Options options, List<Result> results) throws Exception {
    boolean quick = options.quick();
    ProviderTrouble.Pace trouble = quick ? ProviderTrouble.Pace.QUICK : ProviderTrouble.Pace.FULL;
    if (IDS.subList(0, 3).stream().anyMatch(options.only())) {
      ChaosMatrix.log("starting one node and three providers answering in " + PROVIDER_LATENCY.toMillis() + " ms");
      try (ProviderBed bed = ProviderBed.start(options.jar(), options.work(), "overload", 1, Map.of(),
          PROVIDER_LATENCY, List.of())) {
        // A fresh JVM: the first seconds of reads would measure the JIT, not the node.
        PacedLoad.closed(bed.nodes.get(0), ProviderBed.CHAIN, 16, Duration.ofSeconds(quick ? 3 : 5)).awaitEnd();
        ProviderTrouble runner = new ProviderTrouble(bed, trouble);
        if (options.only().test("slow-provider")) {
          results.add(attempt("slow-provider", runner::slowProvider));
        }
        if (options.only().test("brown-out")) {
          results.add(attempt("brown-out", runner::brownOut));
        }
        if (options.only().test("overload")) {
          Overload overload = new Overload(bed, quick ? Overload.Pace.QUICK : Overload.Pace.FULL);
          results.add(attempt("overload", overload::run));
        }
      }
    }
    if (options.only().test("saturated")) {
      ChaosMatrix.log("starting one node and three providers answering in " + SATURATED_LATENCY.toMillis()
          + " ms, max_concurrency " + SATURATED_MAX_CONCURRENCY);
      try (ProviderBed bed = ProviderBed.start(options.jar(), options.work(), "saturated", 1, Map.of(),
          SATURATED_LATENCY, List.of("max_concurrency: " + SATURATED_MAX_CONCURRENCY))) {
        ProviderTrouble runner = new ProviderTrouble(bed, trouble);
        results.add(attempt("saturated", () -> runner.allSaturated(SATURATED_MAX_CONCURRENCY)));
      }
    }
  }

  /** A scenario that produces its result. */
  interface Measured {
    Result run() throws Exception;
  }

  /** Runs one scenario and prints what it found; one that throws gets a result saying so, and the rest go on. */
  private static Result attempt(String id, Measured scenario) {
    String load = ReliabilityReport.loadAverage();
    ChaosMatrix.log(id + " (load average " + load + ")");
    Result result;
    try {
      Result measured = scenario.run();
      List<String> notes = new ArrayList<>(measured.notes());
      notes.add("- Load average (1 / 5 / 15 min) at the start of the scenario: " + load + "; at its end: "
          + ReliabilityReport.loadAverage() + ".");
      result = new Result(id, measured.setup(), measured.figures(), notes);
    } catch (Exception e) {
      e.printStackTrace();
      String why = (e.getClass().getSimpleName() + ": " + e.getMessage()).replace('|', '/');
      result = new Result(id, "did not complete", List.of(new Figure("-", "the scenario stopped with " + why, "-", "no")),
          List.of());
    }
    for (Figure f : result.figures()) {
      System.out.println("  " + f.measure() + ": " + f.value() + " (target " + f.target() + ", met: " + f.met() + ")");
    }
    return result;
  }

  static String section(ChaosMatrix.Options options, List<Result> results, Instant started, Duration wall,
                        String loadAtStart, String runnerLowered) {
    StringBuilder md = new StringBuilder(ReliabilityReport.runHeader(options, started, wall));
    md.append(runnerLowered == null
        ? "The runner's threads ran at the nodes' priority (`RIATA_CHAOS_PRIORITY=off`, or lowering them failed).\n\n"
        : "The runner's threads (load, simulated providers) ran at a lower priority than the nodes (`"
            + (runnerLowered.equals("idle") ? "chrt --idle" : "renice -n " + runnerLowered.substring(5))
            + "`; see How the load is made).\n\n");
    md.append("Load average (1 / 5 / 15 min) at the start: ").append(loadAtStart).append("; at the end: ")
        .append(ReliabilityReport.loadAverage())
        .append(". Other work on the machine shares the cores; per scenario below.\n\n");
    md.append("| scenario | figure | measured | target | met |\n|---|---|---|---|---|\n");
    for (Result r : results) {
      for (Figure f : r.figures()) {
        md.append("| ").append(String.join(" | ", r.id(), f.measure(), f.value(), f.target(), f.met())).append(" |\n");
      }
    }
    if (results.isEmpty()) {
      md.append("| (no scenario ran) | | | | |\n");
    }
    for (Result r : results) {
      md.append("\n### ").append(r.id()).append("\n\n").append(r.setup()).append(".\n\n");
      r.notes().forEach(line -> md.append(line).append('\n'));
    }
    return md.toString();
  }
}
