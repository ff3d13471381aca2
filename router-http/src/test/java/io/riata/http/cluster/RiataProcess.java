package io.riata.http.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One Riata node as its own JVM, started from the shaded jar the way {@code deploy/riata} does. */
final class RiataProcess implements AutoCloseable {

  private static final Path JAR = Path.of("target", "riata.jar");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  final String name;
  final int httpPort;
  /** The operator port: admin API, dashboard and feed, metrics. */
  final int operatorPort;
  final int clusterPort;
  private final Path chains;
  private final String seeds;
  private final List<String> javaOptions;
  private final Path log;
  private Process process;

  RiataProcess(String name, Path chains, String seeds, int clusterPort, List<String> javaOptions, Path logDir)
      throws IOException {
    this.name = name;
    this.httpPort = freePort();
    this.operatorPort = freePort();
    this.clusterPort = clusterPort;
    this.chains = chains;
    this.seeds = seeds;
    this.javaOptions = List.copyOf(javaOptions);
    this.log = logDir.resolve(name + ".log");
  }

  /**
   * {@code count} nodes named {@code prefix-0 ..}, forming one cluster on free loopback ports
   * (the first two are the seeds), each with fresh log files in {@code logDir}; returns once every
   * one answers {@code /ready}.
   */
  static List<RiataProcess> startCluster(String prefix, int count, Path chains, List<String> javaOptions, Path logDir)
      throws IOException, InterruptedException {
    int[] clusterPorts = new int[count];
    for (int i = 0; i < count; i++) {
      clusterPorts[i] = freePort();
    }
    String seeds = address(clusterPorts[0]) + (count > 1 ? "," + address(clusterPorts[1]) : "");
    List<RiataProcess> nodes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Files.deleteIfExists(logDir.resolve(prefix + "-" + i + ".log"));
      nodes.add(new RiataProcess(prefix + "-" + i, chains, seeds, clusterPorts[i], javaOptions, logDir).start());
    }
    for (RiataProcess node : nodes) {
      node.awaitReady(Duration.ofSeconds(90));
    }
    return nodes;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static String address(int clusterPort) {
    return "pekko://riata@127.0.0.1:" + clusterPort;
  }

  RiataProcess start() throws IOException {
    if (!Files.isRegularFile(JAR)) {
      throw new IllegalStateException("run after package: " + JAR.toAbsolutePath());
    }
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:+UseSerialGC"));
    command.addAll(javaOptions);
    command.addAll(List.of("-jar", JAR.toString(), chains.toString()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().put("RIATA_PORT", Integer.toString(httpPort));
    builder.environment().put("RIATA_CLUSTER_PORT", Integer.toString(clusterPort));
    builder.environment().put("RIATA_ADMIN_PORT", Integer.toString(operatorPort));
    builder.environment().put("RIATA_SEED_NODES", seeds);
    process = builder.start();
    return this;
  }

  /** Waits until {@code /ready} answers 200. */
  void awaitReady(Duration timeout) throws InterruptedException {
    long until = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < until) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log.toAbsolutePath());
      }
      if (readyStatus() == 200) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(name + " not ready within " + timeout + "; see " + log.toAbsolutePath());
  }

  int readyStatus() {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/ready"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  String readyBody() throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/ready"))
        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  /** SIGKILL: the node vanishes without leaving the cluster. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGTERM: the node leaves the cluster and drains. */
  boolean stop(Duration timeout) throws InterruptedException {
    process.destroy();
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** SIGSTOP: the JVM stands still, as in a frozen VM; its sockets stay open. */
  void pause() throws IOException, InterruptedException {
    signal("STOP");
  }

  /** SIGCONT: the JVM runs on from where it stood. */
  void resume() throws IOException, InterruptedException {
    signal("CONT");
  }

  private void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
    }
  }

  /** Waits for the process to end on its own; its exit status, or -1 when it is still running. */
  int awaitExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
  }

  long pid() {
    return process.pid();
  }

  Path log() {
    return log;
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
