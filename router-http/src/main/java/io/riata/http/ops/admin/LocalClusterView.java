package io.riata.http.ops.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.riata.cluster.breaker.CircuitBreaker;
import io.riata.cluster.node.NodeRuntime;
import io.riata.cluster.node.PauseGuard;
import io.riata.cluster.pool.ProviderPool;
import io.riata.http.Json;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * {@code GET /admin/cluster/local}: what this node itself believes right now, asked of nothing but
 * its own JVM: its member status and incarnation (uid), the shards its own shard regions host,
 * the singletons whose actor runs here, and whether it owns them.
 *
 * <p>A node <em>owns</em> what it hosts while its own view of itself is Up (or Leaving, handing
 * its shards over) and its {@link PauseGuard} vouches for it. {@code owns} is true only when both
 * held before and after the regions were asked, so a claim never straddles a pause.
 */
final class LocalClusterView {

  /**
   * How long the view waits for a local shard region. Short, so that a node that is stopping
   * answers at once (with {@code null} for the region) and the view can be sampled often.
   */
  static final Duration REGION_TIMEOUT = Duration.ofSeconds(1);

  private static final List<EntityTypeKey<?>> TYPES = List.of(ProviderPool.ENTITY_TYPE_KEY, CircuitBreaker.ENTITY_TYPE_KEY);

  private final ActorSystem<?> system;
  private final NodeRuntime node;

  LocalClusterView(ActorSystem<?> system, NodeRuntime node) {
    this.system = system;
    this.node = node;
  }

  CompletionStage<JsonNode> read() {
    boolean ownedBefore = owning();
    ObjectNode shards = Json.MAPPER.createObjectNode();
    CompletableFuture<Void> all = CompletableFuture.completedFuture(null);
    for (EntityTypeKey<?> key : TYPES) {
      CompletableFuture<Void> one = hosted(key)
          .thenAccept(list -> {
            synchronized (shards) {
              shards.set(key.name(), list);
            }
          })
          .exceptionally(e -> {
            synchronized (shards) {
              shards.putNull(key.name()); // the region did not answer (the node is shutting down)
            }
            return null;
          });
      all = all.thenCombine(one, (a, b) -> null);
    }
    return all.thenApply(ignored -> {
      Member self = Cluster.get(system).selfMember();
      long now = System.nanoTime();
      PauseGuard.Status guard = node.pauseGuard().status(now);
      ObjectNode out = Json.MAPPER.createObjectNode();
      out.put("address", self.address().toString());
      out.put("uid", self.uniqueAddress().longUid());
      out.put("status", self.status().toString());
      out.put("atMillis", System.currentTimeMillis());
      out.put("owns", ownedBefore && owning());
      ObjectNode pause = out.putObject("pauseGuard");
      pause.put("enabled", guard.enabled());
      pause.put("maxPauseMs", guard.maxPauseMillis());
      pause.put("sinceLastRunMs", guard.sinceLastRunMillis());
      pause.put("longestPauseMs", guard.longestPauseMillis());
      pause.put("tripped", guard.tripped());
      pause.put("trippedPauseMs", guard.trippedPauseMillis());
      synchronized (shards) {
        out.set("shards", shards.deepCopy());
      }
      ArrayNode singletons = out.putArray("singletons");
      for (Map.Entry<String, Long> s : node.singletons().running().entrySet()) {
        singletons.addObject().put("name", s.getKey()).put("sinceMillis", s.getValue());
      }
      return (JsonNode) out;
    });
  }

  /** Whether, at this moment, this node's own view says it is a full member and its pause guard vouches. */
  private boolean owning() {
    MemberStatus status = Cluster.get(system).selfMember().status();
    return (status == MemberStatus.up() || status == MemberStatus.leaving())
        && node.pauseGuard().vouches(System.nanoTime());
  }

  private CompletableFuture<ArrayNode> hosted(EntityTypeKey<?> key) {
    CompletionStage<ShardRegion.CurrentShardRegionState> state = AskPattern.ask(
        ClusterSharding.get(system).shardState(),
        r -> new GetShardRegionState(key, r),
        REGION_TIMEOUT,
        system.scheduler());
    return state.thenApply(s -> {
      ArrayNode list = Json.MAPPER.createArrayNode();
      Map<String, JsonNode> byShard = new TreeMap<>();
      for (ShardRegion.ShardState shard : s.getShards()) {
        byShard.put(shard.shardId(), Json.MAPPER.valueToTree(new TreeSet<>(shard.getEntityIds())));
      }
      for (String failed : s.getFailed()) {
        // Hosted here, but the shard did not answer within shard-region-query-timeout: still hosted.
        byShard.put(failed, Json.MAPPER.nullNode());
      }
      byShard.forEach((shard, entities) -> list.addObject().put("shard", shard).set("entityIds", entities));
      return list;
    }).toCompletableFuture();
  }
}
