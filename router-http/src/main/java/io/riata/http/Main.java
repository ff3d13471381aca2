package io.riata.http;

import com.typesafe.config.Config;
import io.riata.cluster.RiataConfig;
import io.riata.core.config.ChainsConfig;
import io.riata.core.config.ChainsConfigLoader;
import io.riata.core.config.ConfigError;
import io.riata.core.config.ConfigException;
import io.riata.http.ops.admin.AdminSettings;
import io.riata.http.demo.DemoProviders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code riata --demo} or {@code riata path/to/chains.yml}. Ports, timeouts and cluster settings
 * come from application.conf ({@code -Dconfig.file=...}) and the environment variables named in
 * the reference.conf files.
 */
public final class Main {

  /**
   * The exit status of a node that the cluster removed (downed), or that downed itself after its
   * JVM stood still: its supervisor (systemd {@code Restart=on-failure}, Kubernetes) should start
   * it again, and it joins as a new incarnation.
   */
  public static final int EXIT_DOWNED = 3;

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1 || args[0].equals("-h") || args[0].equals("--help")) {
      System.err.println("usage: riata --demo | riata <chains.yml>");
      System.err.println("  --demo       start simulated providers in this process and route to them");
      System.err.println("  <chains.yml> route to the providers configured there (${ENV} is substituted)");
      System.exit(args.length == 1 ? 0 : 2);
    }
    Config config = RiataConfig.load();
    DemoProviders demo = null;
    ChainsConfig chains;
    Path chainsFile = null;
    try {
      if (args[0].equals("--demo")) {
        demo = DemoProviders.start();
        chains = demo.chainsConfig();
      } else {
        Path file = Path.of(args[0]);
        if (!Files.isRegularFile(file)) {
          System.err.println("riata: " + file + ": no such file");
          System.exit(2);
          return;
        }
        chains = ChainsConfigLoader.load(file, System.getenv());
        chainsFile = file;
      }
    } catch (ConfigException e) {
      System.err.println("riata: the configuration has " + e.errors().size() + " mistake(s):");
      for (ConfigError error : e.errors()) {
        System.err.println("  " + error);
      }
      System.exit(2);
      return;
    } catch (IOException e) {
      System.err.println("riata: cannot read " + args[0] + ": " + e.getMessage());
      System.exit(2);
      return;
    }
    RiataServer server = RiataServer.start(chains, chainsFile, config);
    exitWithTheActorSystem(server.system());
    DemoProviders started = demo;
    if (started != null) {
      server.system().getWhenTerminated().thenRun(started::close);
    }
    String base = "http://" + server.host() + ":" + server.port();
    System.out.println("Riata listening on " + base);
    for (var chain : chains.allChains()) {
      System.out.println("  chain " + chain.name() + " (id " + chain.chainId() + "): " + base + "/rpc/"
          + chain.name() + "  providers: " + chain.providers().stream().map(p -> p.id()).toList());
    }
    System.out.println("  health: " + base + "/health   ready: " + base + "/ready");
    if (server.operatorPort() > 0) {
      String ops = "http://" + server.operatorHost() + ":" + server.operatorPort();
      AdminSettings admin = AdminSettings.from(config);
      System.out.println("Operator port " + ops + (admin.hasToken()
          ? " (bearer token required for the admin API and the dashboard feed"
              + (admin.metricsRequireToken() ? " and metrics)" : ")")
          : " (no token set: loopback only)"));
      System.out.println("  dashboard: " + ops + "/dashboard");
      System.out.println("  metrics: " + ops + "/metrics");
      System.out.println("  admin API: " + ops + "/admin/chains (see docs/admin-api.md)");
    } else {
      System.out.println("Operator port off (riata.http.admin.enabled): no dashboard, metrics or admin API");
    }
    String first = chains.allChains().iterator().next().name();
    System.out.println("Try:");
    System.out.println("  curl -si -H 'Content-Type: application/json' "
        + "-d '{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}' "
        + base + "/rpc/" + first);
    System.out.println("Stop with Ctrl-C.");
  }

  /**
   * A node whose actor system ended without a signal to the JVM (SIGTERM runs the same shutdown
   * from Pekko's JVM hook and exits by itself) must not linger as a process that serves nothing:
   * it exits, with {@link #EXIT_DOWNED} when it was downed.
   */
  private static void exitWithTheActorSystem(ActorSystem<?> system) {
    system.getWhenTerminated().thenRun(() -> {
      Optional<CoordinatedShutdown.Reason> reason = CoordinatedShutdown.get(system).getShutdownReason();
      int status;
      if (reason.isPresent() && reason.get().equals(CoordinatedShutdown.jvmExitReason())) {
        return;
      } else if (reason.isPresent() && reason.get().equals(CoordinatedShutdown.clusterDowningReason())) {
        LOG.error("this node was removed from the cluster (downed); exiting with status {} so that its supervisor"
            + " starts it again as a new incarnation", EXIT_DOWNED);
        status = EXIT_DOWNED;
      } else if (reason.isPresent() && reason.get().equals(CoordinatedShutdown.clusterLeavingReason())) {
        LOG.info("this node left the cluster; exiting");
        status = 0;
      } else {
        LOG.error("the actor system stopped ({}); exiting with status 1", reason.map(Object::toString).orElse("no reason"));
        status = 1;
      }
      // Not from the thread that completed the termination: System.exit runs the shutdown hooks,
      // Pekko's among them, and waits for them.
      new Thread(() -> System.exit(status), "riata-exit").start();
    });
  }
}
