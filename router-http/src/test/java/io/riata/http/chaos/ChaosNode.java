package io.riata.http.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.riata.http.TestNodes;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Riata node as a child JVM started from the shaded jar, with its default settings except
 * those given in the environment. It can be killed (SIGKILL), stopped (SIGTERM), frozen (SIGSTOP)
 * and thawed (SIGCONT), and read from the outside: admin API, heap after a GC, open files, threads,
 * CPU time. Its collections go to a GC log beside its output, so heap after every collection can
 * be read without forcing one.
 */
final class ChaosNode implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private static final Pattern USED = Pattern.compile("generation\\s+total \\d+K, used (\\d+)K");
  /** The heap every node gets ({@code -Xmx}), in MiB. */
  static final int MAX_HEAP_MIB = 256;
  /** A line of {@code -Xlog:gc} with the {@code timemillis} decoration: when, and heap before -> after (capacity). */
  private static final Pattern GC_LINE =
      Pattern.compile("^\\[(\\d+)ms\\].*\\s(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)[KMG]\\) ([\\d.]+)ms");
  /** Clock ticks per second of /proc/PID/stat; 100 on every Linux this runs on. */
  private static final long TICKS_PER_SECOND = 100;
  /** Every node process started here, killed when this JVM exits however it ends (an interrupted run too). */
  private static final java.util.Set<Process> STARTED = java.util.concurrent.ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> STARTED.forEach(Process::destroyForcibly), "chaos-nodes-kill"));
  }

  final String name;
  final int httpPort;
  final int adminPort;
  final int clusterPort;
  private final Path jar;
  private final Path chains;
  private final Map<String, String> env;
  private final Path log;
  private final Path gcLog;
  private Process process;

  ChaosNode(String name, Path jar, Path chains, int clusterPort, Map<String, String> env, Path logDir)
      throws IOException {
    this.name = name;
    this.jar = jar;
    this.chains = chains;
    this.clusterPort = clusterPort;
    this.env = Map.copyOf(env);
    this.httpPort = freePort();
    this.adminPort = freePort();
    this.log = logDir.resolve(name + ".log");
    this.gcLog = logDir.toAbsolutePath().resolve(name + "-gc.log");
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static String address(int clusterPort) {
    return "pekko://riata@127.0.0.1:" + clusterPort;
  }

  ChaosNode start() throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + MAX_HEAP_MIB + "m",
        "-XX:+UseSerialGC", "-Xlog:gc:file=" + gcLog + ":timemillis", "-jar", jar.toString(), chains.toString()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(env);
    builder.environment().put("RIATA_PORT", Integer.toString(httpPort));
    builder.environment().put("RIATA_ADMIN_PORT", Integer.toString(adminPort));
    builder.environment().put("RIATA_CLUSTER_PORT", Integer.toString(clusterPort));
    builder.environment().remove("RIATA_ADMIN_TOKEN");
    process = builder.start();
    STARTED.add(process);
    return this;
  }

  void awaitReady(Duration timeout) throws InterruptedException {
    long until = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < until) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log.toAbsolutePath());
      }
      if (readyStatus(Duration.ofSeconds(2)) == 200) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(name + " not ready within " + timeout + "; see " + log.toAbsolutePath());
  }

  /** The status of {@code /ready} on the RPC port, or -1 when it did not answer in time. */
  int readyStatus(Duration timeout) {
    return status("/ready", timeout);
  }

  /** The status of a GET of {@code path} on the RPC port within two seconds, or -1 without an answer. */
  int status(String path) {
    return status(path, Duration.ofSeconds(2));
  }

  private int status(String path, Duration timeout) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
          .timeout(timeout).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** A number {@code /ready} gives for {@code chain} ({@code snapshotAgeMs}, {@code headsAgeMs}), or -1 when it did not say. */
  long readyFigure(String chain, String field) {
    try {
      String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/ready"))
          .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString()).body();
      JsonNode age = TestNodes.json(body).path("chains").path(chain).path(field);
      return age.isNumber() ? age.asLong() : -1;
    } catch (IOException | RuntimeException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** GET on the operator port; null when the node did not answer 200 within two seconds. */
  JsonNode admin(String path) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? TestNodes.json(r.body()) : null;
    } catch (IOException | RuntimeException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** POST on the operator port; returns the status, -1 when there was no answer. */
  int adminPost(String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
          .timeout(Duration.ofSeconds(6)).POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGTERM; true if the process exited within {@code timeout}. */
  boolean stop(Duration timeout) throws InterruptedException {
    process.destroy();
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  int exitCode() {
    return process.exitValue();
  }

  boolean waitForExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  void freeze() throws IOException, InterruptedException {
    signal("STOP");
  }

  void thaw() throws IOException, InterruptedException {
    signal("CONT");
  }

  private void signal(String signal) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
    if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IOException("kill -" + signal + " " + process.pid() + " failed");
    }
  }

  /** Heap in use right after a full GC, in KiB, via jcmd; -1 when jcmd failed. */
  long heapAfterGcKib() {
    try {
      String ran = jcmd("GC.run");
      String info = jcmd("GC.heap_info");
      Matcher m = USED.matcher(info);
      long used = 0;
      boolean found = false;
      while (m.find()) {
        used += Long.parseLong(m.group(1));
        found = true;
      }
      if (!found) {
        System.err.println("jcmd GC.run / GC.heap_info on the node gave no heap figure:\n" + ran + info);
      }
      return found ? used : -1;
    } catch (IOException e) {
      System.err.println("jcmd on the node failed: " + e.getMessage());
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private String jcmd(String command) throws IOException, InterruptedException {
    Path tool = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    // A node busy with the overload can be slow to answer the attach: 30 s rather than jcmd's 10.
    Process p = new ProcessBuilder(tool.toString(), "-J-Dsun.tools.attach.attachTimeout=30000",
        Long.toString(process.pid()), command)
        .redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("jcmd " + command + " did not finish");
    }
    return new String(out, StandardCharsets.UTF_8);
  }

  /**
   * Collections logged between two moments: how many, the most heap left in use after any of
   * them (KiB; -1 when there was none) and the longest pause. After a young collection the heap
   * in use includes the old generation's garbage, so it is an upper bound of what was live.
   */
  record Collections(int count, long mostAfterKib, double longestPauseMs, int fullCount, long mostAfterFullKib) {}

  /** The collections that ended between {@code fromMillis} and {@code toMillis} (wall clock), from the GC log. */
  Collections collections(long fromMillis, long toMillis) {
    long most = -1;
    int count = 0;
    double longest = 0;
    // A full collection leaves only what is live (with SerialGC a young one also leaves the old
    // generation's garbage, and one that cannot promote logs the whole heap before a full one).
    long mostFull = -1;
    int full = 0;
    try {
      for (String line : Files.readAllLines(gcLog)) {
        Matcher m = GC_LINE.matcher(line);
        if (m.find()) {
          long at = Long.parseLong(m.group(1));
          if (at >= fromMillis && at <= toMillis) {
            long after = kib(Long.parseLong(m.group(4)), m.group(5));
            most = Math.max(most, after);
            longest = Math.max(longest, Double.parseDouble(m.group(7)));
            count++;
            if (line.contains("Pause Full")) {
              mostFull = Math.max(mostFull, after);
              full++;
            }
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // no log yet, or a line cut short while being written
    }
    return new Collections(count, most, longest, full, mostFull);
  }

  private static long kib(long value, String unit) {
    return switch (unit) {
      case "G" -> value * 1024 * 1024;
      case "M" -> value * 1024;
      default -> value;
    };
  }

  /** CPU time the process used so far (user and system), in milliseconds; -1 when unreadable. */
  long cpuMillis() {
    return cpuMillis(process.pid());
  }

  /** CPU time of any process on this machine, from /proc/PID/stat; -1 when unreadable. */
  static long cpuMillis(long pid) {
    try {
      String stat = Files.readAllLines(Path.of("/proc", Long.toString(pid), "stat")).get(0);
      // The command name may hold spaces; the fields after it are fixed: utime and stime are the 12th and 13th.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 1000 / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * The sum of every sample of a Prometheus metric on the operator's {@code /metrics} (all tags
   * together), e.g. {@code riata_node_requests_refused_total}; -1 when the node did not answer.
   */
  double metric(String name) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        return -1;
      }
      double sum = 0;
      for (String line : r.body().split("\n")) {
        if (line.startsWith(name) && (line.charAt(name.length()) == '{' || line.charAt(name.length()) == ' ')) {
          sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      return sum;
    } catch (IOException | RuntimeException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** Open file descriptors, from /proc; -1 when unreadable. */
  long openFiles() {
    try (var files = Files.list(Path.of("/proc", Long.toString(process.pid()), "fd"))) {
      return files.count();
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Threads of the process, from /proc; -1 when unreadable. */
  long threads() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
        if (line.startsWith("Threads:")) {
          return Long.parseLong(line.substring("Threads:".length()).trim());
        }
      }
    } catch (IOException | RuntimeException e) {
      // fall through
    }
    return -1;
  }

  Path log() {
    return log;
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
