package io.riata.http;

import com.typesafe.config.Config;
import io.riata.cluster.RiataCluster;
import io.riata.cluster.node.NodeRuntime;
import io.riata.core.config.ChainsConfig;
import io.riata.core.failover.MethodDeadlines;
import io.riata.http.ops.dashboard.DashboardFeed;
import io.riata.http.ops.dashboard.DashboardRoutes;
import io.riata.http.ops.admin.AdminRoutes;
import io.riata.http.ops.admin.AdminSettings;
import io.riata.http.ops.admin.OperatorToken;
import io.riata.http.ops.diag.DataPlaneThreads;
import io.riata.http.ops.diag.Diagnostics;
import io.riata.http.ops.diag.JfrRecordings;
import io.riata.http.ops.diag.LoadSimulation;
import io.riata.http.ops.diag.MailboxSampler;
import io.riata.http.ops.diag.PathTimings;
import io.riata.http.ops.Health;
import io.riata.http.ops.HealthRoutes;
import io.riata.http.ops.MetricsExporter;
import io.riata.http.ops.OperatorConnections;
import io.riata.http.ops.OperatorLimits;
import io.riata.http.ops.OperatorRoutes;
import kamon.Kamon;
import io.riata.http.data.RouteResolver;
import io.riata.http.data.subs.Subscriptions;
import io.riata.http.data.WsSettings;
import io.riata.core.engine.Dispatcher;
import io.riata.core.engine.EngineClock;
import io.riata.core.engine.ConcurrencyLimiter;
import io.riata.core.engine.HedgePolicy;
import io.riata.core.engine.LatencyHedge;
import io.riata.core.engine.BoundedAdmission;
import io.riata.core.engine.RequestEngine;
import io.riata.core.engine.Shortcut;
import io.riata.http.data.EngineGateway;
import io.riata.http.data.HttpSettings;
import io.riata.http.data.OverloadSettings;
import io.riata.http.data.EventLoops;
import io.riata.http.data.RpcServer;
import io.riata.http.data.upstream.HttpHeadProbe;
import io.riata.http.data.upstream.UpstreamClient;
import io.riata.http.data.upstream.UpstreamSettings;
import java.util.List;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Riata node: the actor system (a cluster member), the node runtime, the RPC endpoint and the
 * operator port.
 */
public final class RiataServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RiataServer.class);

  private final ActorSystem<Void> system;
  private final NodeRuntime node;
  private final RpcServer rpc;
  private final DashboardFeed dashboard;
  private final ServerBinding operatorBinding;
  private final OperatorConnections operatorConnections;

  private RiataServer(ActorSystem<Void> system, NodeRuntime node, RpcServer rpc, DashboardFeed dashboard,
                      ServerBinding operatorBinding, OperatorConnections operatorConnections) {
    this.system = system;
    this.node = node;
    this.rpc = rpc;
    this.dashboard = dashboard;
    this.operatorBinding = operatorBinding;
    this.operatorConnections = operatorConnections;
  }

  /** This node's dashboard fan-out (its WebSocket subscribers). */
  public DashboardFeed dashboard() {
    return dashboard;
  }

  /** Starts a node from a configuration built in code: the admin API cannot reload it. */
  public static RiataServer start(ChainsConfig chains, Config config) {
    return start(chains, null, config);
  }

  /**
   * Starts a node and waits until its HTTP endpoints are bound.
   *
   * @param chainsFile the file {@code chains} was read from, read again by the admin API's reload;
   *                   {@code null} when there is none
   */
  public static RiataServer start(ChainsConfig chains, Path chainsFile, Config config) {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "riata", config);
    try {
      HttpSettings settings = HttpSettings.from(system.settings().config());
      AdminSettings admin = AdminSettings.from(system.settings().config());
      UpstreamSettings upstream = UpstreamSettings.from(system.settings().config());
      EventLoops loops = EventLoops.start(settings.eventLoops());
      CoordinatedShutdown.get(system).addTask(
          CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "riata-event-loops", () -> {
            loops.close();
            return java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance());
          });
      UpstreamClient client = new UpstreamClient(loops, upstream);
      CoordinatedShutdown.get(system).addTask(
          CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "riata-upstream-client", () -> {
            client.close();
            return CompletableFuture.completedFuture(Done.getInstance());
          });
      PathTimings timings = new PathTimings(admin.timingSampleEvery());
      OperatorConnections operatorConnections = new OperatorConnections(OperatorLimits.from(system.settings().config()));
      DashboardFeed dashboard = new DashboardFeed(operatorConnections.limits().maxFeedSubscribers());
      NodeRuntime node = RiataCluster.start(system, chains, new HttpHeadProbe(client, upstream.probeTimeout()), dashboard);
      OverloadSettings overload = OverloadSettings.from(system.settings().config());
      BoundedAdmission admission = new BoundedAdmission(overload.maxInFlight());
      ConcurrencyLimiter limiter = new ConcurrencyLimiter(upstream.concurrency());
      RequestEngine engine = new RequestEngine(
          new MethodDeadlines(settings.methodDeadlines(), settings.defaultDeadline()), settings.maxAttempts(),
          limiter, overload.retryBudget(),
          overload.hedge() == null ? HedgePolicy.NONE : new LatencyHedge(overload.hedge()),
          admission, List.of(Shortcut.CHAIN_ID), timings, EngineClock.SYSTEM);
      EngineGateway gateway = new EngineGateway(
          new Dispatcher(engine, settings.maxBatchLength(), overload.maxBatchConcurrency()), client);
      RouteResolver resolver = new RouteResolver(node);
      WsSettings websocket = WsSettings.from(system.settings().config());
      Subscriptions subscriptions = new Subscriptions(system, node, gateway, client,
          websocket.maxUpstreamSocketsPerChain());
      Health health = new Health(node);
      Kamon.init(system.settings().config());
      MetricsExporter metrics = new MetricsExporter(node, dashboard);
      metrics.watchOverload(admission, limiter, gateway.dispatcher(), client);
      node.onRollup(metrics::record);
      system.scheduler().scheduleAtFixedRate(Duration.ofSeconds(1), Duration.ofSeconds(1), metrics::update,
          system.executionContext());
      RpcServer rpc = RpcServer.bind(loops, settings, websocket, resolver,
          gateway.dispatcher(), client, health, subscriptions, overload.loopLag());
      metrics.watchOperatorPort(operatorConnections);
      metrics.watchDataBounds(rpc, subscriptions);
      CoordinatedShutdown.get(system).addTask(
          CoordinatedShutdown.PhaseServiceRequestsDone(), "riata-rpc-drain", () -> CompletableFuture.runAsync(() ->
              rpc.drain(settings.drainGrace())).thenApply(ignored -> Done.getInstance()));
      JfrRecordings jfr = new JfrRecordings();
      CoordinatedShutdown.get(system).addTask(
          CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "riata-jfr-cleanup", () -> {
            jfr.close();
            return java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance());
          });
      Diagnostics diagnostics = new Diagnostics(new MailboxSampler(system), timings, jfr,
          new LoadSimulation(resolver, gateway), new DataPlaneThreads(loops));
      ServerBinding operatorBinding = bindOperator(system, node, chainsFile, dashboard, diagnostics,
          new HealthRoutes(health), metrics, operatorConnections);
      // Leaving: report not ready first, so a load balancer stops sending here, then (after the
      // grace period) stop the RPC port and let in-flight requests finish (riata-rpc-drain).
      CoordinatedShutdown.get(system).addTask(
          CoordinatedShutdown.PhaseBeforeServiceUnbind(), "riata-not-ready", () -> {
            node.markStopping();
            return org.apache.pekko.pattern.Patterns.after(settings.unreadyGrace(), system.classicSystem().scheduler(),
                system.executionContext(), () -> java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance()));
          });
      return new RiataServer(system, node, rpc, dashboard, operatorBinding, operatorConnections);
    } catch (Exception e) {
      system.terminate();
      throw new IllegalStateException("Riata could not start: " + e.getMessage(), e);
    }
  }

  /**
   * The operator port ({@link OperatorRoutes}: admin API, dashboard and feed, metrics, health),
   * unbound with the RPC endpoint in coordinated shutdown. Without a token it binds loopback only,
   * whatever {@code riata.http.admin.host} says. Each connection goes through {@code connections}
   * (its bounds).
   */
  private static ServerBinding bindOperator(ActorSystem<Void> system, NodeRuntime node, Path chainsFile,
                                            DashboardFeed dashboard, Diagnostics diagnostics, HealthRoutes health,
                                            MetricsExporter metrics, OperatorConnections connections) throws Exception {
    AdminSettings admin = AdminSettings.from(system.settings().config());
    if (!admin.enabled()) {
      return null;
    }
    OperatorToken token = OperatorToken.from(admin);
    AdminRoutes adminRoutes = new AdminRoutes(system, node, admin, chainsFile, System::getenv, dashboard::latestRollup,
        diagnostics);
    OperatorRoutes routes = new OperatorRoutes(token, admin.metricsRequireToken(), health, metrics,
        new DashboardRoutes(dashboard, token), adminRoutes);
    ServerBinding binding = Http.get(system)
        .newServerAt(admin.bindHost(), admin.port())
        .adaptSettings(connections::adapt)
        .bindFlow(connections.handler(routes.route(), system))
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS)
        .addToCoordinatedShutdown(Duration.ofSeconds(10), system);
    if (!admin.hasToken()) {
      LOG.warn("admin API has no token (riata.http.admin.token / RIATA_ADMIN_TOKEN): the operator port (admin API,"
              + " dashboard, metrics) is listening on {}:{} only{}",
          AdminSettings.LOOPBACK, binding.localAddress().getPort(),
          admin.host().equals(AdminSettings.LOOPBACK) ? "" : ", not on the configured host " + admin.host());
    } else {
      LOG.info("operator port (admin API, dashboard, metrics) on {}:{} (bearer token required{})", admin.host(),
          binding.localAddress().getPort(), admin.metricsRequireToken() ? ", /metrics included" : "; not for /metrics");
    }
    return binding;
  }

  /** The operator port (admin API, dashboard and feed, metrics, health), or -1 when it is disabled. */
  public int operatorPort() {
    return operatorBinding == null ? -1 : operatorBinding.localAddress().getPort();
  }

  /** The operator port's connection bounds and their counts. */
  public OperatorConnections operatorConnections() {
    return operatorConnections;
  }

  /** The port of the admin API: the operator port. */
  public int adminPort() {
    return operatorPort();
  }

  /** The interface the operator port is bound to, or null when it is disabled. */
  public String operatorHost() {
    return operatorBinding == null ? null : operatorBinding.localAddress().getHostString();
  }

  public int port() {
    return rpc.port();
  }

  /** The RPC port (its bounds and their counts). */
  public RpcServer rpc() {
    return rpc;
  }

  public String host() {
    return rpc.host();
  }

  public NodeRuntime node() {
    return node;
  }

  public ActorSystem<Void> system() {
    return system;
  }

  /** Blocks until every chain has a snapshot from its pool, or the timeout passes. */
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    long until = System.nanoTime() + timeout.toNanos();
    while (!node.ready()) {
      if (System.nanoTime() > until) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }

  @Override
  public void close() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      // Shutting down anyway; nothing useful to do with a slow termination here.
    }
  }
}
