package io.riata.http.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The fault matrix: runs each scenario against real Riata processes on loopback and writes the
 * figures into {@code docs/reliability.md} (everything below its marker line). Run it through
 * {@code deploy/chaos/run.sh}, which builds the jar and the test classes first. With
 * {@code --overload} it measures the overload figures instead ({@link OverloadFigures}), written
 * into {@code docs/overload.md}.
 *
 * <pre>
 * ChaosMatrix [--overload] [--only id,id,...] [--quick] [--soak 1h] [--out docs/reliability.md|-]
 *             [--jar router-http/target/riata.jar] [--work target/chaos] [--command "text"]
 * </pre>
 */
public final class ChaosMatrix {

  static final String MARKER = "<!-- Everything below is written by deploy/chaos/run.sh; edits there are lost. -->";

  /** What to run and where to write it. */
  record Options(Predicate<String> only, boolean quick, Duration soak, Path out, Path jar, Path work, String command,
                 boolean overload) {}

  public static void main(String[] args) throws Exception {
    Options options = parse(args);
    Files.createDirectories(options.work());
    if (options.overload()) {
      OverloadFigures.run(options);
      return;
    }
    Instant started = Instant.now();
    long t0 = System.nanoTime();
    List<Row> rows = new ArrayList<>();
    List<String> soakRows = new ArrayList<>();
    try {
      run(options, rows, soakRows);
    } finally {
      long wall = System.nanoTime() - t0;
      String section = ReliabilityReport.section(options, rows, soakRows, started, Duration.ofNanos(wall));
      System.out.println(section);
      if (options.out() != null) {
        ReliabilityReport.write(options.out(), section);
        System.out.println("written to " + options.out());
      }
    }
  }

  static void run(Options options, List<Row> rows, List<String> soakRows) throws Exception {
    ProviderFaults.Pace pace = options.quick() ? ProviderFaults.Pace.QUICK : ProviderFaults.Pace.FULL;
    List<ProviderFaults.Scenario> faults = ProviderFaults.scenarios().stream()
        .filter(s -> options.only().test(s.id())).toList();
    if (!faults.isEmpty() || options.only().test("all-down")) {
      log("starting one node and three providers");
      try (ProviderBed bed = ProviderBed.start(options.jar(), options.work(), "single", 1, Map.of())) {
        ProviderFaults runner = new ProviderFaults(bed, pace);
        for (ProviderFaults.Scenario scenario : faults) {
          log(scenario.id() + ": " + scenario.description());
          rows.add(attempt(scenario.id(), () -> runner.run(scenario).row()));
        }
        if (options.only().test("all-down")) {
          log("all-down");
          rows.add(attempt("all-down", () -> runner.allDown().row()));
        }
      }
    }
    List<String> clusterIds = List.of("node-sigkill", "sigstop-partition", "rolling-restart");
    if (clusterIds.stream().anyMatch(options.only())) {
      log("starting a cluster of three nodes");
      // A load balancer polls /ready every 100 ms: a second of grace lets it see a stopping node.
      try (ProviderBed bed = ProviderBed.start(options.jar(), options.work(), "cluster", 3,
          Map.of("RIATA_UNREADY_GRACE", "1s"))) {
        NodeFaults runner = new NodeFaults(bed, pace, Duration.ofSeconds(15));
        if (options.only().test("node-sigkill")) {
          log("node-sigkill");
          rows.add(attempt("node-sigkill", runner::nodeKilled));
        }
        if (options.only().test("sigstop-partition")) {
          log("sigstop-partition");
          rows.add(attempt("sigstop-partition", runner::nodeFrozen));
        }
        if (options.only().test("rolling-restart")) {
          log("rolling-restart");
          rows.add(attempt("rolling-restart", runner::rollingRestart));
        }
      }
    }
    if (options.only().test("slow-subscriber")) {
      log("slow-subscriber");
      rows.add(attempt("slow-subscriber", () -> new SlowSubscriber(options.jar(), options.work(),
          options.quick() ? Duration.ofSeconds(20) : Duration.ofSeconds(30)).run()));
    }
    if (options.soak() != null) {
      log("soak for " + options.soak());
      try (ProviderBed bed = ProviderBed.start(options.jar(), options.work(), "soak", 1, Map.of())) {
        Soak soak = new Soak(bed, options.soak(), pace.clients());
        rows.add(print(soak.run()));
        soakRows.addAll(soak.sampleRows());
      }
    }
  }

  /** A scenario that produces its row. */
  interface Measured {
    Row run() throws Exception;
  }

  /** Runs one scenario; one that throws gets a row saying so, and the matrix goes on. */
  private static Row attempt(String id, Measured scenario) {
    try {
      return print(scenario.run());
    } catch (Exception e) {
      e.printStackTrace();
      String why = (e.getClass().getSimpleName() + ": " + e.getMessage()).replace('|', '/');
      return print(new Row(id, "did not complete", Row.NONE, Row.NONE, Row.NONE, Row.NONE, Row.NONE, Row.NONE,
          Row.NONE, "the scenario stopped with " + why));
    }
  }

  private static Row print(Row row) {
    System.out.printf(Locale.ROOT, "  reads %s, failed %s, p50 %s, p99 %s, excluded %s, recovered %s, attempts %s%n  %s%n",
        row.reads(), row.failed(), row.p50(), row.p99(), row.exclusion(), row.recovery(), row.attempts(), row.notes());
    return row;
  }

  static void log(String line) {
    System.out.println("[chaos " + Instant.now().toString().substring(11, 19) + "] " + line);
  }

  static Options parse(String[] args) {
    Predicate<String> only = id -> true;
    boolean quick = false;
    Duration soak = null;
    Path out = null;
    boolean outGiven = false;
    boolean overload = false;
    Path jar = Path.of("router-http", "target", "riata.jar");
    Path work = Path.of("router-http", "target", "chaos");
    String command = "deploy/chaos/run.sh";
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--only" -> {
          List<String> ids = Arrays.asList(value(args, ++i, arg).split(","));
          only = ids::contains;
        }
        case "--quick" -> quick = true;
        case "--overload" -> overload = true;
        case "--soak" -> soak = duration(value(args, ++i, arg));
        case "--out" -> {
          String v = value(args, ++i, arg);
          out = v.equals("-") ? null : Path.of(v);
          outGiven = true;
        }
        case "--jar" -> jar = Path.of(value(args, ++i, arg));
        case "--work" -> work = Path.of(value(args, ++i, arg));
        case "--command" -> command = value(args, ++i, arg);
        default -> throw new IllegalArgumentException("unknown option " + arg);
      }
    }
    if (!Files.isRegularFile(jar)) {
      throw new IllegalArgumentException("no jar at " + jar.toAbsolutePath() + " (mvn -DskipTests package builds it)");
    }
    if (!outGiven) {
      out = Path.of("docs", overload ? "overload.md" : "reliability.md");
    }
    return new Options(only, quick, soak, out, jar, work, command, overload);
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  /** {@code 90s}, {@code 30m}, {@code 1h}. */
  static Duration duration(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    long n = Long.parseLong(t.substring(0, t.length() - 1));
    return switch (t.charAt(t.length() - 1)) {
      case 's' -> Duration.ofSeconds(n);
      case 'm' -> Duration.ofMinutes(n);
      case 'h' -> Duration.ofHours(n);
      default -> throw new IllegalArgumentException("a duration like 90s, 30m or 1h, got " + text);
    };
  }

  private ChaosMatrix() {}
}
