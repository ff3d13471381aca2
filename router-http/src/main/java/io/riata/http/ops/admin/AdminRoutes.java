package io.riata.http.ops.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.riata.cluster.RiataCluster;
import io.riata.cluster.breaker.BreakerTransitioned;
import io.riata.cluster.breaker.CircuitBreaker;
import io.riata.cluster.node.ChainRuntime;
import io.riata.cluster.node.ConfigFollower;
import io.riata.cluster.node.NodeRuntime;
import io.riata.cluster.pool.ProviderPool;
import io.riata.core.breaker.BreakerPhase;
import io.riata.core.config.ChainConfig;
import io.riata.core.config.ChainsConfig;
import io.riata.core.config.ChainsConfigLoader;
import io.riata.core.config.ConfigChanges;
import io.riata.core.config.ConfigError;
import io.riata.core.config.ConfigException;
import io.riata.core.config.Durations;
import io.riata.core.config.ProviderConfig;
import io.riata.core.config.Redaction;
import io.riata.core.metrics.ProviderCounters;
import io.riata.core.selection.ChainSnapshot;
import io.riata.core.selection.ProviderStatus;
import io.riata.http.ops.diag.Diagnostics;
import io.riata.http.ops.diag.DiagnosticsException;
import io.riata.http.ops.diag.JfrRecordings;
import io.riata.http.ops.diag.LoadSimulation;
import io.riata.http.ops.diag.PathTimings;
import io.riata.http.Json;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import io.riata.cluster.aggregate.EventAggregator;
import io.riata.core.rollup.ClusterRollup;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.ddata.LWWRegister;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.sharding.typed.HashCodeMessageExtractor;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.stream.javadsl.FileIO;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The admin API, on its own port: what every chain and provider looks like from this node,
 * operator overrides (breaker open, close, reset; drain, undrain), reloading {@code chains.yml},
 * the cluster's members and entity placement, and diagnostics ({@link Diagnostics}: mailbox depths,
 * the request path's own timings, JFR recordings, load simulations).
 *
 * <p>Overrides go to the cluster-wide authority, never to this node alone: a breaker override to
 * the provider's {@code CircuitBreaker} entity, a drain to the chain's {@code ProviderPool} entity,
 * wherever Cluster Sharding placed them; every node follows from the next snapshot. A reload is
 * validated and applied here, then its text is written to Distributed Data, from where every
 * node's {@link ConfigFollower} applies it.
 *
 * <p>Every request needs {@code Authorization: Bearer <token>} when a token is configured
 * ({@link OperatorToken}). Errors are problem JSON (RFC 9457). The rest of the operator port
 * (health, metrics, dashboard) is routed before this, in {@code OperatorRoutes}: whatever reaches
 * here is an admin request or an unknown path.
 */
public final class AdminRoutes extends AllDirectives {

  public static final ContentType PROBLEM_JSON =
      ContentTypes.create(MediaTypes.applicationWithFixedCharset("problem+json",
          org.apache.pekko.http.javadsl.model.HttpCharsets.UTF_8));
  private static final String PROBLEM_BASE = "https://riata.io/problems/";
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AdminRoutes.class);

  private final ActorSystem<?> system;
  private final NodeRuntime node;
  private final AdminSettings settings;
  private final Path chainsFile;
  private final Supplier<Map<String, String>> env;
  private final Supplier<ClusterRollup> latestRollup;
  private final OperatorToken token;
  private final Diagnostics diagnostics;
  private final LocalClusterView localView;

  /**
   * @param chainsFile the file this node started from, read again on reload; {@code null} when
   *                   the node was started from a configuration built in code (demo, tests)
   */
  public AdminRoutes(ActorSystem<?> system, NodeRuntime node, AdminSettings settings, Path chainsFile,
                     Supplier<Map<String, String>> env, Supplier<ClusterRollup> latestRollup,
                     Diagnostics diagnostics) {
    this.diagnostics = diagnostics;
    this.latestRollup = latestRollup;
    this.system = system;
    this.node = node;
    this.settings = settings;
    this.chainsFile = chainsFile;
    this.env = env;
    this.token = OperatorToken.from(settings);
    this.localView = new LocalClusterView(system, node);
  }

  public Route route() {
    return optionalHeaderValueByName("Authorization", auth -> {
      if (!token.admits(auth.orElse(null))) {
        return complete(token.refusal(auth.isPresent()));
      }
      return concat(pathPrefix("admin", () -> concat(
          pathPrefix("diagnostics", this::diagnostics),
          get(() -> concat(
              path("chains", () -> complete(json(200, chains()))),
              path(PathMatchers.segment("chains").slash(PathMatchers.segment()), this::chain),
              path("providers", () -> complete(json(200, providers()))),
              path(PathMatchers.segment("providers").slash(PathMatchers.segment()), this::provider),
              path(PathMatchers.segment("cluster").slash("members"), () -> complete(json(200, members()))),
              path(PathMatchers.segment("cluster").slash("shards"), () -> completeWithFuture(shards())),
              path(PathMatchers.segment("cluster").slash("singleton"), () -> complete(json(200, singleton()))),
              path(PathMatchers.segment("cluster").slash("local"),
                  () -> completeWithFuture(localView.read().thenApply(body -> json(200, body)))))),
          post(() -> concat(
              path(PathMatchers.segment("providers").slash(PathMatchers.segment()).slash("breaker")
                      .slash(PathMatchers.segment()),
                  (id, action) -> parameterOptional("for", openFor -> breaker(id, action, openFor))),
              path(PathMatchers.segment("providers").slash(PathMatchers.segment()).slash("drain"),
                  id -> completeWithFuture(drain(id, true))),
              path(PathMatchers.segment("providers").slash(PathMatchers.segment()).slash("undrain"),
                  id -> completeWithFuture(drain(id, false))),
              path("reload", () -> completeWithFuture(reload())))),
          extractMethod(m -> extractUnmatchedPath(p -> complete(problem(404, "not-found", "No such admin endpoint",
              m.value() + " /admin" + p + " is not an admin endpoint; see docs/admin-api.md")))))),
          complete(problem(404, "not-found", "Not found",
              "the operator port serves /admin/..., /dashboard, /ws/dashboard, /metrics, /health and /ready;"
                  + " see docs/admin-api.md")));
    });
  }

  // ---- chains and providers ----------------------------------------------------------------

  private ObjectNode chains() {
    ObjectNode out = Json.MAPPER.createObjectNode();
    ArrayNode list = out.putArray("chains");
    for (ChainRuntime chain : node.chains()) {
      list.add(chainJson(chain));
    }
    return out;
  }

  private Route chain(String nameOrId) {
    return node.chain(nameOrId)
        .map(c -> complete(json(200, chainJson(c))))
        .orElseGet(() -> complete(problem(404, "unknown-chain", "Unknown chain",
            "no chain " + nameOrId + "; chains: " + node.chains().stream().map(c -> c.config().name()).toList())));
  }

  private ObjectNode providers() {
    ObjectNode out = Json.MAPPER.createObjectNode();
    ArrayNode list = out.putArray("providers");
    for (ChainRuntime chain : node.chains()) {
      for (ProviderConfig p : chain.config().providers()) {
        list.add(providerJson(chain, p));
      }
    }
    return out;
  }

  private Route provider(String id) {
    return findProvider(id)
        .map(c -> complete(json(200, providerJson(c, c.config().provider(id).orElseThrow()))))
        .orElseGet(() -> complete(unknownProvider(id)));
  }

  private Optional<ChainRuntime> findProvider(String id) {
    for (ChainRuntime chain : node.chains()) {
      if (chain.config().provider(id).isPresent()) {
        return Optional.of(chain);
      }
    }
    return Optional.empty();
  }

  private HttpResponse unknownProvider(String id) {
    List<String> ids = new ArrayList<>();
    node.chains().forEach(c -> c.config().providers().forEach(p -> ids.add(p.id())));
    return problem(404, "unknown-provider", "Unknown provider", "no provider " + id + "; providers: " + ids);
  }

  private ObjectNode chainJson(ChainRuntime chain) {
    ChainConfig c = chain.config();
    ChainSnapshot snapshot = chain.snapshot();
    ObjectNode out = Json.MAPPER.createObjectNode();
    out.put("name", c.name());
    out.put("chainId", c.chainId());
    out.put("blockTimeMs", c.blockTime().toMillis());
    out.put("maxLagBlocks", c.maxLagBlocks());
    out.put("strategy", c.defaultStrategy());
    out.put("archiveDepth", c.archiveDepth());
    ObjectNode snap = out.putObject("snapshot");
    snap.put("version", chain.hasPoolSnapshot() ? snapshot.version() : -1);
    snap.put("ageMs", chain.snapshotAgeMillis());
    snap.put("chainHead", snapshot.chainHead());
    ArrayNode providers = out.putArray("providers");
    for (ProviderConfig p : c.providers()) {
      providers.add(providerJson(chain, p));
    }
    return out;
  }

  private ObjectNode providerJson(ChainRuntime chain, ProviderConfig p) {
    ObjectNode out = Json.MAPPER.createObjectNode();
    out.put("id", p.id());
    out.put("chain", chain.config().name());
    ObjectNode config = out.putObject("config");
    // URLs often carry an API key in their path or query: only the origin is shown.
    config.put("httpOrigin", Redaction.origin(p.httpUrl()));
    if (p.wsUrl() != null) {
      config.put("wsOrigin", Redaction.origin(p.wsUrl()));
    }
    config.put("priority", p.priority());
    config.put("weight", p.weight());
    config.put("archival", p.archival());
    config.set("allowMethods", Json.MAPPER.valueToTree(new TreeSet<>(p.allowMethods())));
    config.set("denyMethods", Json.MAPPER.valueToTree(new TreeSet<>(p.denyMethods())));
    if (p.requestTimeout() != null) {
      config.put("requestTimeoutMs", p.requestTimeout().toMillis());
    }
    config.put("maxConcurrency", p.maxConcurrency());
    config.set("headerNames", Json.MAPPER.valueToTree(p.headers().keySet()));
    ProviderStatus status = chain.snapshot().provider(p.id());
    ObjectNode cluster = out.putObject("cluster");
    cluster.put("drained", status.drained());
    cluster.put("breaker", status.breaker().name());
    cluster.put("head", status.head());
    cluster.put("lag", status.lag());
    cluster.put("rogue", status.rogue());
    cluster.put("safe", status.safe());
    cluster.put("finalized", status.finalized());
    cluster.put("finalizedWentBack", status.finalizedWentBack());
    cluster.put("rateLimitedUntilMillis", status.rateLimitedUntilMillis());
    // While the pool is silent, head, lag, rogue and breaker come from this node's own probes.
    cluster.put("standIn", chain.standingIn());
    ObjectNode here = out.putObject("thisNode");
    here.put("breaker", chain.breakers().phase(p.id()).name());
    here.put("trippedLocally", chain.breakers().trippedLocally(p.id()));
    for (ProviderCounters.Sample s : chain.samples()) {
      if (s.providerId().equals(p.id())) {
        ObjectNode attempts = here.putObject("attempts");
        attempts.put("successes", s.successes());
        attempts.put("failures", s.failures());
        attempts.put("timeouts", s.timeouts());
        attempts.put("rateLimited", s.rateLimited());
        attempts.put("failureStreak", s.failureStreak());
        if (s.lastFailure() != null && !s.lastFailure().isEmpty()) {
          attempts.put("lastFailure", s.lastFailure());
        }
      }
    }
    return out;
  }

  // ---- overrides ---------------------------------------------------------------------------

  private Route breaker(String id, String action, Optional<String> openFor) {
    Optional<ChainRuntime> chain = findProvider(id);
    if (chain.isEmpty()) {
      return complete(unknownProvider(id));
    }
    Duration duration = null;
    if (openFor.isPresent()) {
      if (!action.equals("open")) {
        return complete(problem(400, "bad-request", "Bad request", "?for= only goes with breaker/open"));
      }
      duration = Durations.parse(openFor.get()).filter(x -> !x.isZero()).orElse(null);
      if (duration == null) {
        return complete(problem(400, "bad-request", "Bad request",
            "for=" + openFor.get() + " is not a positive duration like 30s or 5m"));
      }
    }
    Duration d = duration;
    var ref = ClusterSharding.get(system).entityRefFor(CircuitBreaker.ENTITY_TYPE_KEY,
        CircuitBreaker.entityId(chain.get().config().name(), id, CircuitBreaker.HTTP));
    CompletionStage<BreakerTransitioned> reply;
    switch (action) {
      case "open" -> reply = ref.ask(r -> new CircuitBreaker.Force(BreakerPhase.OPEN, d, r), settings.askTimeout());
      case "close" -> reply = ref.ask(r -> new CircuitBreaker.Force(BreakerPhase.CLOSED, null, r), settings.askTimeout());
      case "reset" -> reply = ref.ask(CircuitBreaker.Reset::new, settings.askTimeout());
      default -> {
        return complete(problem(404, "not-found", "No such breaker action",
            "breaker actions are open, close and reset, not " + action));
      }
    }
    return completeWithFuture(answer(reply.thenApply(t -> {
      ObjectNode out = Json.MAPPER.createObjectNode();
      out.put("chain", t.chain());
      out.put("provider", t.providerId());
      out.put("transport", t.transport());
      out.put("from", t.from().name());
      out.put("to", t.to().name());
      out.put("cause", t.cause());
      return json(200, out);
    }), "the breaker of " + id));
  }

  private CompletionStage<HttpResponse> drain(String id, boolean drained) {
    Optional<ChainRuntime> chain = findProvider(id);
    if (chain.isEmpty()) {
      return CompletableFuture.completedFuture(unknownProvider(id));
    }
    CompletionStage<ProviderPool.DrainUpdated> reply = ProviderPool.entityRef(system, chain.get().config().name())
        .ask(r -> new ProviderPool.Drain(id, drained, r), settings.askTimeout());
    return answer(reply.thenApply(u -> {
      ObjectNode out = Json.MAPPER.createObjectNode();
      out.put("chain", u.chain());
      out.put("provider", u.providerId());
      out.put("drained", u.drained());
      return json(200, out);
    }), "the pool of " + chain.get().config().name());
  }

  private static CompletionStage<HttpResponse> answer(CompletionStage<HttpResponse> reply, String who) {
    return reply.exceptionally(e -> problem(503, "cluster-unavailable", "The cluster did not answer",
        who + " did not answer in time (" + e.getClass().getSimpleName() + "); the override may or may not "
            + "have been applied: read the state and retry"));
  }

  // ---- reload ------------------------------------------------------------------------------

  /** A validated file that applies live: its text and what it changes. */
  private record Reloaded(String text, ConfigChanges changes) {}

  private CompletionStage<HttpResponse> reload() {
    Object checked = readAndApply();
    if (checked instanceof HttpResponse rejected) {
      return CompletableFuture.completedFuture(rejected);
    }
    Reloaded reloaded = (Reloaded) checked;
    ConfigFollower.ChainsReloaded message = new ConfigFollower.ChainsReloaded(
        chainsFile.toString(), reloaded.text(), RiataCluster.nodeId(system), System.currentTimeMillis());
    // Stored even when nothing changed here: it is what nodes joining later compare with too.
    SelfUniqueAddress self = DistributedData.get(system).selfUniqueAddress();
    CompletionStage<Replicator.UpdateResponse<LWWRegister<ConfigFollower.ChainsReloaded>>> stored = AskPattern.ask(
        DistributedData.get(system).replicator(),
        r -> ConfigFollower.store(message, self, r),
        ConfigFollower.WRITE_TIMEOUT.plusSeconds(1),
        system.scheduler());
    return stored.handle((response, failure) -> {
      ObjectNode out = Json.MAPPER.createObjectNode();
      out.put("file", chainsFile.toString());
      out.set("applied", Json.MAPPER.valueToTree(reloaded.changes().live()));
      out.put("members", Cluster.get(system).state().members().size());
      // Not on a majority yet: gossip still carries it to every node, only later.
      out.put("storedOnMajority", failure == null && response instanceof Replicator.UpdateSuccess);
      return json(200, out);
    });
  }

  /** Validates the file and applies it on this node; a {@link Reloaded} or the rejection to answer. */
  private Object readAndApply() {
    if (chainsFile == null) {
      return problem(409, "no-file", "Nothing to reload",
          "this node was not started from a chains.yml file (demo or embedded configuration)");
    }
    String text;
    try {
      text = Files.readString(chainsFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return problem(400, "invalid-configuration", "Configuration not readable",
          "cannot read " + chainsFile + ": " + e.getMessage() + "; the running configuration is unchanged");
    }
    ChainsConfig next;
    try {
      next = ChainsConfigLoader.parse(chainsFile.toString(), text, env.get());
    } catch (ConfigException e) {
      ObjectNode body = problemBody(400, "invalid-configuration", "Invalid configuration",
          chainsFile + " has " + e.errors().size() + " mistake(s); the running configuration is unchanged");
      ArrayNode errors = body.putArray("errors");
      for (ConfigError error : e.errors()) {
        ObjectNode item = errors.addObject();
        item.put("file", error.file());
        item.put("line", error.line());
        item.put("field", error.field());
        item.put("message", error.message());
      }
      return problemResponse(400, body);
    }
    ConfigChanges changes = ConfigChanges.between(node.config(), next);
    if (!changes.appliesLive()) {
      ObjectNode body = problemBody(409, "restart-required", "Restart required",
          "these changes cannot be applied to running nodes; restart the nodes one at a time instead. "
              + "Nothing was changed");
      body.set("restartRequired", Json.MAPPER.valueToTree(changes.restart()));
      body.set("live", Json.MAPPER.valueToTree(changes.live()));
      return problemResponse(409, body);
    }
    if (!changes.none()) {
      node.apply(next);
      LOG.info("chains.yml reloaded through the admin API: {}", changes.live());
    }
    return new Reloaded(text, changes);
  }

  // ---- cluster -----------------------------------------------------------------------------

  private ObjectNode members() {
    Cluster cluster = Cluster.get(system);
    var state = cluster.state();
    Address self = cluster.selfMember().address();
    Address leader = state.getLeader();
    Member oldest = oldest(state.getMembers());
    ObjectNode out = Json.MAPPER.createObjectNode();
    out.put("self", self.toString());
    out.put("leader", leader == null ? null : leader.toString());
    ArrayNode list = out.putArray("members");
    for (Member m : state.getMembers()) {
      ObjectNode item = list.addObject();
      item.put("address", m.address().toString());
      item.put("status", m.status().toString());
      item.set("roles", Json.MAPPER.valueToTree(new TreeSet<>(m.getRoles())));
      item.put("self", m.address().equals(self));
      item.put("leader", m.address().equals(leader));
      item.put("oldest", oldest != null && m.equals(oldest));
      item.put("reachable", !state.getUnreachable().contains(m));
    }
    return out;
  }

  private static Member oldest(Iterable<Member> members) {
    Member oldest = null;
    for (Member m : members) {
      if ((m.status() == MemberStatus.up() || m.status() == MemberStatus.leaving())
          && (oldest == null || m.isOlderThan(oldest))) {
        oldest = m;
      }
    }
    return oldest;
  }

  /**
   * Where the {@code EventAggregator} runs, as the last cluster rollup this node received says
   * (the aggregator signs each rollup with its node), and the oldest member, where Pekko places a
   * singleton: the two differ for a moment while the singleton moves.
   */
  private ObjectNode singleton() {
    Member oldest = oldest(Cluster.get(system).state().getMembers());
    ObjectNode out = Json.MAPPER.createObjectNode();
    ArrayNode singletons = out.putArray("singletons");
    ClusterRollup rollup = latestRollup.get();
    ObjectNode aggregator = singletons.addObject();
    aggregator.put("name", EventAggregator.SINGLETON_NAME);
    aggregator.put("purpose", "merges the nodes' dashboard rollups every tick");
    aggregator.put("node", rollup == null ? null : rollup.aggregator());
    aggregator.put("sinceMillis", rollup == null ? 0 : rollup.aggregatorSince());
    aggregator.put("lastRollupAtMillis", rollup == null ? 0 : rollup.atMillis());
    out.put("oldestMember", oldest == null ? null : oldest.address().toString());
    return out;
  }

  private CompletionStage<HttpResponse> shards() {
    int shardCount = system.settings().config().getInt("pekko.cluster.sharding.number-of-shards");
    List<String> pools = node.chains().stream().map(c -> c.config().name()).toList();
    List<String> breakers = new ArrayList<>();
    for (ChainRuntime c : node.chains()) {
      for (ProviderConfig p : c.config().providers()) {
        breakers.add(CircuitBreaker.entityId(c.config().name(), p.id(), CircuitBreaker.HTTP));
      }
    }
    CompletableFuture<JsonNode> poolStats = placement(ProviderPool.ENTITY_TYPE_KEY, pools, shardCount);
    CompletableFuture<JsonNode> breakerStats = placement(CircuitBreaker.ENTITY_TYPE_KEY, breakers, shardCount);
    return answer(poolStats.thenCombine(breakerStats, (p, b) -> {
      ObjectNode out = Json.MAPPER.createObjectNode();
      out.put("numberOfShards", shardCount);
      ObjectNode types = out.putObject("entityTypes");
      types.set(ProviderPool.ENTITY_TYPE_KEY.name(), p);
      types.set(CircuitBreaker.ENTITY_TYPE_KEY.name(), b);
      return json(200, out);
    }), "cluster sharding");
  }

  /** Which node hosts each entity: the shard of its id (as sharding computes it) and the shard's region. */
  private CompletableFuture<JsonNode> placement(EntityTypeKey<?> key, List<String> entityIds, int shardCount) {
    CompletionStage<ShardRegion.ClusterShardingStats> stats = AskPattern.ask(
        ClusterSharding.get(system).shardState(),
        r -> new GetClusterShardingStats(key, settings.askTimeout(), r),
        settings.askTimeout().plusSeconds(1),
        system.scheduler());
    HashCodeMessageExtractor<Object> extractor = new HashCodeMessageExtractor<>(shardCount);
    return stats.thenApply(s -> {
      Map<String, String> shardHost = new TreeMap<>();
      ObjectNode out = Json.MAPPER.createObjectNode();
      ArrayNode regions = out.putArray("regions");
      for (Map.Entry<Address, ShardRegion.ShardRegionStats> region : s.getRegions().entrySet()) {
        ObjectNode item = regions.addObject();
        item.put("node", region.getKey().toString());
        item.put("shards", region.getValue().getStats().size());
        item.put("entities", region.getValue().getStats().values().stream().mapToInt(v -> ((Number) v).intValue()).sum());
        for (String shard : region.getValue().getStats().keySet()) {
          shardHost.put(shard, region.getKey().toString());
        }
      }
      ArrayNode entities = out.putArray("entities");
      for (String id : entityIds) {
        String shard = extractor.shardId(id);
        ObjectNode item = entities.addObject();
        item.put("entityId", id);
        item.put("shard", shard);
        item.put("node", shardHost.get(shard)); // null: the shard is not allocated (yet)
      }
      return (JsonNode) out;
    }).toCompletableFuture();
  }

  // ---- diagnostics -------------------------------------------------------------------------

  private Route diagnostics() {
    return concat(
        get(() -> concat(
            path("mailboxes", () -> parameterOptional("window", window -> guarded(() -> {
              Duration w = window.map(v -> Durations.parse(v).orElseThrow(() -> DiagnosticsException.badRequest(
                  "window=" + v + " is not a duration like 5s or 500ms"))).orElse(Duration.ofSeconds(5));
              var report = diagnostics.mailboxes().sample(w);
              return withoutRequestTimeout(() -> completeWithFuture(report.thenApply(r -> json(200, r))));
            }))),
            path("latency", () -> complete(json(200, latency()))),
            path("threads", () -> complete(json(200, diagnostics.threads().report()))),
            path("jfr", () -> guarded(() -> complete(json(200, diagnostics.jfr().list())))),
            path(PathMatchers.segment("jfr").slash(PathMatchers.longSegment()), this::jfrFile))),
        post(() -> concat(
            path(PathMatchers.segment("latency").slash("reset"), () -> {
              diagnostics.timings().reset();
              return complete(json(200, latency()));
            }),
            path(PathMatchers.segment("jfr").slash("start"), () -> parameterOptional("duration", duration ->
                parameterOptional("settings", settings -> guarded(() -> {
                  Duration d = duration.map(v -> Durations.parse(v).orElseThrow(() -> DiagnosticsException.badRequest(
                      "duration=" + v + " is not a duration like 60s or 5m"))).orElse(JfrRecordings.DEFAULT_DURATION);
                  return complete(json(200, diagnostics.jfr().start(d, settings.orElse("default"))));
                })))),
            path(PathMatchers.segment("jfr").slash("stop"), () -> guarded(() -> complete(json(200, diagnostics.jfr().stop())))),
            path("load", () -> entity(Unmarshaller.entityToString(), body -> guarded(() -> {
              var report = diagnostics.load().run(LoadSimulation.Plan.parse(body));
              return withoutRequestTimeout(() -> completeWithFuture(report.thenApply(r -> json(200, r))));
            }))))),
        extractMethod(m -> extractUnmatchedPath(p -> complete(problem(404, "not-found", "No such diagnostics endpoint",
            m.value() + " /admin/diagnostics" + p + " is not a diagnostics endpoint; see docs/admin-api.md")))));
  }

  private Route guarded(Supplier<Route> inner) {
    try {
      return inner.get();
    } catch (DiagnosticsException e) {
      return complete(problem(e.status(), e.type(), e.title(), e.getMessage()));
    }
  }

  private ObjectNode latency() {
    ObjectNode out = Json.MAPPER.createObjectNode();
    out.put("node", system.address().toString());
    out.put("unit", "microseconds");
    PathTimings t = diagnostics.timings();
    out.put("sampleEvery", t.sampleEvery());
    out.set("selection", Json.MAPPER.valueToTree(t.selection()));
    out.set("admission", Json.MAPPER.valueToTree(t.admission()));
    out.set("upstreamAttempt", Json.MAPPER.valueToTree(t.attempt()));
    return out;
  }

  private Route jfrFile(long id) {
    Optional<Path> file = diagnostics.jfr().file(id);
    if (file.isEmpty()) {
      return complete(problem(404, "unknown-recording", "Unknown recording",
          "no finished JFR recording " + id + " is kept on this node; GET /admin/diagnostics/jfr lists them"));
    }
    long size;
    try {
      size = Files.size(file.get());
    } catch (IOException e) {
      return complete(problem(404, "unknown-recording", "Unknown recording", "recording " + id + " is gone"));
    }
    return complete(HttpResponse.create()
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_OCTET_STREAM, size, FileIO.fromPath(file.get())))
        .addHeader(RawHeader.create("Content-Disposition", "attachment; filename=\"riata-" + id + ".jfr\"")));
  }

  // ---- responses ---------------------------------------------------------------------------

  private static HttpResponse json(int status, JsonNode body) {
    try {
      return HttpResponse.create()
          .withStatus(StatusCodes.get(status))
          .withEntity(ContentTypes.APPLICATION_JSON, Json.MAPPER.writeValueAsBytes(body));
    } catch (IOException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
  }

  static ObjectNode problemBody(int status, String type, String title, String detail) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("type", PROBLEM_BASE + type);
    body.put("title", title);
    body.put("status", status);
    body.put("detail", detail);
    return body;
  }

  private static HttpResponse problemResponse(int status, ObjectNode body) {
    try {
      return HttpResponse.create()
          .withStatus(StatusCodes.get(status))
          .withEntity(PROBLEM_JSON, Json.MAPPER.writeValueAsBytes(body));
    } catch (IOException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
  }

  public static HttpResponse problem(int status, String type, String title, String detail) {
    return problemResponse(status, problemBody(status, type, title, detail));
  }
}
