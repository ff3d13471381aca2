package io.riata.http.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** Formats the matrix as markdown and puts it below the marker of {@code docs/reliability.md}. */
final class ReliabilityReport {

  private ReliabilityReport() {}

  static String section(ChaosMatrix.Options options, List<Row> rows, List<String> soakRows, Instant started,
                        Duration wall) {
    StringBuilder md = new StringBuilder(runHeader(options, started, wall));
    md.append("| scenario | fault | reads | failed reads | p50 | p99 (max) | excluded after | recovered after | attempts per read |\n");
    md.append("|---|---|---|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      md.append("| ").append(String.join(" | ", r.scenario(), r.setup(), r.reads(), r.failed(), r.p50(), r.p99(),
          r.exclusion(), r.recovery(), r.attempts())).append(" |\n");
    }
    if (rows.isEmpty()) {
      md.append("| (no scenario ran) | | | | | | | | |\n");
    }
    md.append("\nNotes, per scenario:\n\n");
    for (Row r : rows) {
      md.append("- **").append(r.scenario()).append("**: ").append(r.notes()).append(".\n");
    }
    if (!soakRows.isEmpty()) {
      md.append("\nThe soak's samples of the node (heap in use right after a full GC, open file descriptors, threads):\n\n");
      md.append("| at | heap after GC (MiB) | open files | threads |\n|---|---|---|---|\n");
      soakRows.forEach(line -> md.append(line).append('\n'));
    }
    return md.toString();
  }

  /** "## The last run", then the command, start, commit and wall time, and the machine. */
  static String runHeader(ChaosMatrix.Options options, Instant started, Duration wall) {
    return "## The last run\n\n"
        + "Command: `" + options.command() + "`, started " + started.toString().substring(0, 16)
        + " UTC at commit " + git("rev-parse", "--short", "HEAD") + (dirty() ? " (with uncommitted changes)" : "")
        + "; wall time " + minutes(wall) + ".\n\n"
        + "Machine: " + machine() + ". The runner, the simulated providers and every Riata node (each a JVM with `-Xmx"
        + ChaosNode.MAX_HEAP_MIB + "m -XX:+UseSerialGC`) share these cores.\n\n";
  }

  static void write(Path file, String section) throws IOException {
    write(file, ChaosMatrix.MARKER, "# Reliability", section);
  }

  /** Replaces everything below {@code marker} in {@code file} with {@code section}. */
  static void write(Path file, String marker, String title, String section) throws IOException {
    String kept;
    if (Files.isRegularFile(file)) {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      int at = text.indexOf(marker);
      kept = at < 0 ? text.stripTrailing() + "\n\n" + marker : text.substring(0, at + marker.length());
    } else {
      kept = title + "\n\n" + marker;
    }
    Files.writeString(file, kept + "\n\n" + section, StandardCharsets.UTF_8);
  }

  /** The machine's load averages over 1, 5 and 15 minutes, as /proc/loadavg gives them. */
  static String loadAverage() {
    try {
      String[] parts = Files.readAllLines(Path.of("/proc/loadavg")).get(0).trim().split("\\s+");
      return parts[0] + " / " + parts[1] + " / " + parts[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static boolean dirty() {
    String status = git("status", "--porcelain", "--untracked-files=no");
    return !status.isBlank() && !status.equals("unknown");
  }

  private static String minutes(Duration d) {
    return String.format(Locale.ROOT, "%d min %02d s", d.toMinutes(), d.toSecondsPart());
  }

  static String machine() {
    String cpu = firstValue(Path.of("/proc/cpuinfo"), "model name");
    String memKib = firstValue(Path.of("/proc/meminfo"), "MemTotal").replace("kB", "").trim();
    String os = firstValue(Path.of("/etc/os-release"), "PRETTY_NAME").replace("\"", "");
    long memGib = memKib.isEmpty() ? -1 : Math.round(Long.parseLong(memKib) / 1048576.0);
    return String.format(Locale.ROOT, "%d cores (%s), %d GiB RAM, %s, Linux %s, Java %s (%s)",
        Runtime.getRuntime().availableProcessors(), cpu, memGib, os, System.getProperty("os.version"),
        System.getProperty("java.runtime.version"), System.getProperty("java.vm.name"));
  }

  /** The value of the first line of {@code file} that starts with {@code key}, after ':' or '='. */
  private static String firstValue(Path file, String key) {
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith(key)) {
          int sep = line.indexOf(':') >= 0 ? line.indexOf(':') : line.indexOf('=');
          return line.substring(sep + 1).trim();
        }
      }
    } catch (IOException e) {
      // unknown
    }
    return "";
  }

  private static String git(String... args) {
    try {
      String[] command = new String[args.length + 1];
      command[0] = "git";
      System.arraycopy(args, 0, command, 1, args.length);
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : "unknown";
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }
}
