package io.riata.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar as an operator runs it ({@code deploy/riata} execs exactly this): a separate JVM,
 * configuration from the jar alone. Catches what in-process tests cannot, such as reference.conf
 * files merged in the wrong order.
 */
class RunnableJarIT {

  private static final Path JAR = Path.of("target", "riata.jar");

  private static Process start(List<String> args, int port) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar", JAR.toString()));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("RIATA_PORT", Integer.toString(port));
    builder.environment().put("RIATA_ADMIN_PORT", "0");
    builder.environment().put("RIATA_ADMIN_HOST", "0.0.0.0"); // ignored: no token is set
    builder.environment().remove("RIATA_ADMIN_TOKEN");
    builder.environment().put("RIATA_CLUSTER_PORT", "0");
    return builder.start();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void demoServesBothChainsAndStopsOnSigterm() throws Exception {
    assertTrue(Files.isRegularFile(JAR), "run after package: " + JAR.toAbsolutePath());
    int port = freePort();
    Process riata = start(List.of("--demo"), port);
    List<String> output = new ArrayList<>();
    try {
      BufferedReader lines = new BufferedReader(new InputStreamReader(riata.getInputStream(), StandardCharsets.UTF_8));
      long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      String line;
      while ((line = lines.readLine()) != null) {
        output.add(line);
        if (line.startsWith("Stop with Ctrl-C") || System.nanoTime() > until) {
          break;
        }
      }
      assertTrue(output.stream().anyMatch(l -> l.contains("Riata listening on http://127.0.0.1:" + port)), String.join("\n", output));
      assertTrue(output.stream().anyMatch(l -> l.contains("curl ")), "prints a curl line to try");
      assertTrue(output.stream().anyMatch(l -> l.contains("WARN") && l.contains("admin API has no token")
          && l.contains("listening on 127.0.0.1:") && l.contains("not on the configured host 0.0.0.0")),
          "says at start that the admin API is on loopback only:\n" + String.join("\n", output));
      Thread drain = new Thread(() -> lines.lines().forEach(l -> { }), "drain");
      drain.setDaemon(true);
      drain.start();

      HttpClient http = HttpClient.newHttpClient();
      for (String chain : List.of("ethereum", "polygon")) {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/rpc/" + chain))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}"))
                .timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
        JsonNode body = TestNodes.json(r.body());
        assertEquals(200, r.statusCode());
        assertTrue(body.get("result").asText().startsWith("0x"), chain + ": " + r.body());
      }
      // The operator port is printed next to the RPC URL (0 in the environment: a free one).
      String printed = output.stream().filter(l -> l.contains("dashboard: http://127.0.0.1:")).findFirst()
          .orElseThrow(() -> new AssertionError("prints where the dashboard is:\n" + String.join("\n", output)));
      URI dashboard = URI.create(printed.substring(printed.indexOf("http://")).trim());
      assertNotEquals(port, dashboard.getPort(), "the dashboard is on the operator port, not the RPC port");
      assertTrue(output.stream().anyMatch(l -> l.contains("metrics: http://127.0.0.1:" + dashboard.getPort() + "/metrics")),
          String.join("\n", output));
      assertTrue(output.stream().anyMatch(l -> l.contains("admin API: http://127.0.0.1:" + dashboard.getPort() + "/admin/")),
          String.join("\n", output));
      assertEquals(200, http.send(HttpRequest.newBuilder(dashboard).build(), HttpResponse.BodyHandlers.discarding())
          .statusCode());
      assertEquals(404, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/dashboard")).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode());

      long stopping = System.nanoTime();
      riata.destroy();
      assertTrue(riata.waitFor(30, TimeUnit.SECONDS), "Riata did not stop within 30 s of SIGTERM");
      System.out.printf("runnable jar: stopped %d ms after SIGTERM%n", (System.nanoTime() - stopping) / 1_000_000);
    } finally {
      riata.destroyForcibly();
    }
  }

  @Test
  void aBrokenChainsFileStopsStartUpNamingFileLineAndField(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("chains.yml");
    Files.writeString(file, """
        chains:
          ethereum:
            chain_id: 1
            block_time: fast
            providers:
              - id: a
                htp_url: http://127.0.0.1:1/
        """);
    Process riata = start(List.of(file.toString()), freePort());
    assertTrue(riata.waitFor(60, TimeUnit.SECONDS));
    String output = new String(riata.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(2, riata.exitValue(), output);
    assertTrue(output.contains(file + ":4: chains.ethereum.block_time"), output);
    assertTrue(output.contains(file + ":7: chains.ethereum.providers[0].htp_url"), output);
  }
}
