package io.riata.http.demo;

import io.riata.core.config.ChainsConfig;
import io.riata.core.config.ChainsConfigLoader;
import io.riata.core.config.ConfigException;
import io.riata.http.sim.SimSettings;
import io.riata.http.sim.SimulatedProvider;
import io.riata.http.sim.SimulatedSockets;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The providers behind {@code riata --demo}: for each demo chain a flaky, a slow and a throttled
 * simulated provider on loopback, and {@code demo/chains.yml} filled in with their URLs. Nothing
 * leaves the machine.
 */
public final class DemoProviders implements AutoCloseable {

  private record DemoChain(String name, long chainId, Duration blockTime, long startBlock) {}

  private static final List<DemoChain> CHAINS = List.of(
      new DemoChain("ethereum", 1, Duration.ofSeconds(2), 21_000_000),
      new DemoChain("polygon", 137, Duration.ofSeconds(1), 65_000_000));

  private final List<SimulatedProvider> providers;
  private final SimulatedSockets sockets;
  private final Map<String, String> urls;
  private final ChainsConfig config;

  private DemoProviders(List<SimulatedProvider> providers, SimulatedSockets sockets, Map<String, String> urls,
                        ChainsConfig config) {
    this.providers = List.copyOf(providers);
    this.sockets = sockets;
    this.urls = Map.copyOf(urls);
    this.config = config;
  }

  /** Starts six simulated providers, each with a WebSocket for subscriptions, on ephemeral loopback ports. */
  public static DemoProviders start() throws IOException, ConfigException {
    List<SimulatedProvider> started = new ArrayList<>();
    Map<String, String> urls = new HashMap<>();
    SimulatedSockets sockets = new SimulatedSockets();
    try {
      for (DemoChain chain : CHAINS) {
        SimSettings base = SimSettings.healthy(chain.name(), chain.chainId())
            .withBlockTime(chain.blockTime())
            .withStartBlock(chain.startBlock());
        String prefix = "DEMO_" + chain.name().toUpperCase(Locale.ROOT) + "_";
        started.add(register(urls, sockets, prefix + "FLAKY",
            SimulatedProvider.start(named(base, chain, "flaky").withLatency(Duration.ofMillis(2)).withErrorEvery(6))));
        started.add(register(urls, sockets, prefix + "SLOW",
            SimulatedProvider.start(named(base, chain, "slow").withLatency(Duration.ofMillis(25)))));
        started.add(register(urls, sockets, prefix + "THROTTLED",
            SimulatedProvider.start(named(base, chain, "throttled").withLatency(Duration.ofMillis(3)).withRateLimitEvery(8))));
      }
      String yaml;
      try (InputStream in = DemoProviders.class.getResourceAsStream("/demo/chains.yml")) {
        if (in == null) {
          throw new IOException("demo/chains.yml is missing from the classpath");
        }
        yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      Map<String, String> env = new HashMap<>(System.getenv());
      env.putAll(urls);
      return new DemoProviders(started, sockets, urls, ChainsConfigLoader.parse("demo/chains.yml", yaml, env));
    } catch (IOException | ConfigException | RuntimeException e) {
      started.forEach(SimulatedProvider::close);
      sockets.close();
      throw e;
    }
  }

  private static SimSettings named(SimSettings base, DemoChain chain, String kind) {
    return new SimSettings(chain.name() + "-" + kind, base.chainId(), base.blockTime(), base.startBlock(),
        base.latency(), base.errorEvery(), base.rateLimitEvery(), base.retryAfter());
  }

  /** Notes the provider's URLs under {@code variable} (HTTP) and {@code variable_WS} (its WebSocket). */
  private static SimulatedProvider register(Map<String, String> urls, SimulatedSockets sockets, String variable,
                                            SimulatedProvider p) throws IOException {
    urls.put(variable, p.httpUrl().toString());
    try {
      urls.put(variable + "_WS", sockets.open(p).toString());
    } catch (Exception e) {
      p.close();
      throw new IOException("could not open the WebSocket of demo provider " + p.name() + ": " + e.getMessage(), e);
    }
    return p;
  }

  /**
   * {@code java -cp riata.jar io.riata.http.demo.DemoProviders out.yml}: starts the demo providers
   * alone and writes a {@code chains.yml} that points at them, for several nodes to share
   * ({@code deploy/local-cluster}). Runs until stopped.
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: DemoProviders <chains.yml to write>");
      System.exit(2);
    }
    DemoProviders demo = start();
    Runtime.getRuntime().addShutdownHook(new Thread(demo::close, "demo-providers-stop"));
    String yaml;
    try (InputStream in = DemoProviders.class.getResourceAsStream("/demo/chains.yml")) {
      yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    for (Map.Entry<String, String> url : demo.urls.entrySet()) {
      yaml = yaml.replace("${" + url.getKey() + "}", url.getValue());
    }
    java.nio.file.Path target = java.nio.file.Path.of(args[0]);
    java.nio.file.Path partial = target.resolveSibling(target.getFileName() + ".partial");
    java.nio.file.Files.writeString(partial, yaml);
    java.nio.file.Files.move(partial, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    System.out.println("demo providers running; chains written to " + target);
    new java.util.concurrent.CountDownLatch(1).await();
  }

  public ChainsConfig chainsConfig() {
    return config;
  }

  public List<SimulatedProvider> providers() {
    return providers;
  }

  @Override
  public void close() {
    providers.forEach(SimulatedProvider::close);
    sockets.close();
  }
}
