package io.riata.http.anvil;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Anvil node for tests, from the {@code @foundry-rs/anvil-linux-amd64} npm package, which
 * is installed into {@code target/anvil} on first use (npm registry only, no other download).
 */
public final class AnvilProcess implements AutoCloseable {

  public static final String PACKAGE = "@foundry-rs/anvil-linux-amd64@1.7.1";
  public static final long CHAIN_ID = 31337;
  /** Anvil's first funded development account and its key, public knowledge, worthless off a dev chain. */
  public static final String DEV_ADDRESS = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
  public static final String DEV_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

  private static final Path HOME = Path.of("target", "anvil");
  private static final Path BINARY = HOME.resolve("node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");

  private final Process process;
  private final int port;

  private AnvilProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  public static synchronized Path binary() throws IOException, InterruptedException {
    if (Files.isExecutable(BINARY)) {
      return BINARY;
    }
    Files.createDirectories(HOME);
    Process npm = new ProcessBuilder(List.of("npm", "install", "--no-audit", "--no-fund", "--prefix", HOME.toString(), PACKAGE))
        .redirectErrorStream(true)
        .redirectOutput(HOME.resolve("npm-install.log").toFile())
        .start();
    if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
      npm.destroyForcibly();
      throw new IOException("npm install " + PACKAGE + " failed; see " + HOME.resolve("npm-install.log").toAbsolutePath());
    }
    if (!Files.isExecutable(BINARY)) {
      throw new IOException("npm installed " + PACKAGE + " but " + BINARY + " is not there");
    }
    return BINARY;
  }

  /** Starts Anvil on a free loopback port, mining a block every {@code blockTime}, and waits for it. */
  public static AnvilProcess start(Duration blockTime) throws IOException, InterruptedException {
    Path anvil = binary();
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Process p = new ProcessBuilder(List.of(anvil.toString(), "--host", "127.0.0.1", "--port", Integer.toString(port),
        "--block-time", Long.toString(Math.max(1, blockTime.toSeconds())), "--silent"))
        .redirectErrorStream(true)
        .redirectOutput(HOME.resolve("anvil-" + port + ".log").toFile())
        .start();
    AnvilProcess node = new AnvilProcess(p, port);
    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < until) {
      if (!p.isAlive()) {
        throw new IOException("anvil exited with " + p.exitValue() + "; see " + HOME.resolve("anvil-" + port + ".log"));
      }
      try (Socket ignored = new Socket("127.0.0.1", port)) {
        return node;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    node.close();
    throw new IOException("anvil did not listen on " + port + " within 20 s");
  }

  public URI httpUrl() {
    return URI.create("http://127.0.0.1:" + port + "/");
  }

  public URI wsUrl() {
    return URI.create("ws://127.0.0.1:" + port + "/");
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
