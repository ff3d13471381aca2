package io.riata.http.cluster;

import static io.riata.http.TestNodes.call;
import static io.riata.http.TestNodes.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.riata.http.data.RoutingHeaders;
import io.riata.http.sim.SimSettings;
import io.riata.http.sim.SimulatedProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The admin API of a three-node cluster (separate JVMs on loopback): an override or reload sent
 * to one node takes effect on every node.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminClusterIT {

  private static final String TOKEN = "cluster-it-token-42";
  private static final String METHOD = "web3_clientVersion";
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final List<SimulatedProvider> SIMS = new ArrayList<>();
  private static final List<RiataProcess> NODES = new ArrayList<>();
  private static Path chains;
  private static String yaml;

  @BeforeAll
  static void start() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "admin-cluster-it"));
    StringBuilder text = new StringBuilder("chains:\n  c:\n    chain_id: 9\n    block_time: 1s\n"
        + "    strategy: round-robin\n    providers:\n");
    for (int i = 1; i <= 3; i++) {
      SimulatedProvider sim = SimulatedProvider.start(SimSettings.healthy("p" + i, 9).withLatency(Duration.ofMillis(1)));
      SIMS.add(sim);
      text.append("      - id: p").append(i).append("\n        http_url: ").append(sim.httpUrl()).append('\n');
    }
    yaml = text.toString();
    chains = dir.resolve("chains.yml");
    Files.writeString(chains, yaml);
    NODES.addAll(RiataProcess.startCluster("admin-node", 3, chains, List.of("-Driata.http.admin.token=" + TOKEN), dir));
  }

  @AfterAll
  static void stop() throws Exception {
    for (RiataProcess node : NODES) {
      node.close();
    }
    SIMS.forEach(SimulatedProvider::close);
  }

  @Test
  @Order(1)
  void everyNodeSeesThreeMembersAndWhereEachEntityRuns() {
    Set<String> addresses = new HashSet<>();
    for (RiataProcess node : NODES) {
      // Ready (every chain has a snapshot) can come before every node sees every other one Up.
      await(() -> {
        JsonNode members = json(admin(node, "GET", "/admin/cluster/members").body()).get("members");
        int up = 0;
        for (JsonNode m : members) {
          up += m.get("status").asText().equals("Up") ? 1 : 0;
        }
        return members.size() == 3 && up == 3;
      }, node.name + " does not see three members Up");
      json(admin(node, "GET", "/admin/cluster/members").body()).get("members")
          .forEach(m -> addresses.add(m.get("address").asText()));
    }
    assertEquals(3, addresses.size());
    // The pool's shard is allocated on first use, which readiness already required.
    JsonNode pools = json(admin(NODES.get(2), "GET", "/admin/cluster/shards").body())
        .get("entityTypes").get("ProviderPool").get("entities");
    assertTrue(addresses.contains(pools.get(0).get("node").asText()), pools.toString());
    Set<String> oldest = new HashSet<>();
    for (RiataProcess node : NODES) {
      oldest.add(json(admin(node, "GET", "/admin/cluster/singleton").body()).get("oldestMember").asText());
    }
    assertEquals(1, oldest.size(), "every node names the same oldest member: " + oldest);
  }

  @Test
  @Order(2)
  void aDrainSentToOneNodeStopsTrafficToTheProviderFromEveryNodeAndUndrainBringsItBack() {
    SimulatedProvider p1 = SIMS.get(0);
    assertEquals(200, admin(NODES.get(0), "POST", "/admin/providers/p1/drain").statusCode());
    long drainedAt = System.nanoTime();
    for (RiataProcess node : NODES) {
      await(() -> noneRoutedTo(node, "p1", 9), node.name + " still routes to p1");
    }
    long tookMs = (System.nanoTime() - drainedAt) / 1_000_000;
    p1.resetCounts();
    int sent = 0;
    for (int round = 0; round < 20; round++) {
      for (RiataProcess node : NODES) {
        assertEquals(200, rpc(node).statusCode());
        sent++;
      }
    }
    System.out.printf("drain: every node had stopped sending to p1 %d ms after the admin call; then %d requests"
        + " through all nodes, p1 got %d%n", tookMs, sent, p1.requests(METHOD));
    assertEquals(0, p1.requests(METHOD), "a drained provider gets no request from any node");
    for (RiataProcess node : NODES) {
      assertTrue(json(admin(node, "GET", "/admin/providers/p1").body()).get("cluster").get("drained").asBoolean());
    }

    assertEquals(200, admin(NODES.get(2), "POST", "/admin/providers/p1/undrain").statusCode());
    for (RiataProcess node : NODES) {
      await(() -> !noneRoutedTo(node, "p1", 9), node.name + " never routed to p1 again");
    }
    assertTrue(p1.requests(METHOD) > 0);
  }

  @Test
  @Order(3)
  void aBreakerForcedOpenOnOneNodeIsOpenOnEveryNode() {
    JsonNode opened = json(admin(NODES.get(1), "POST", "/admin/providers/p2/breaker/open?for=30s").body());
    assertEquals("OPEN", opened.get("to").asText());
    for (RiataProcess node : NODES) {
      await(() -> noneRoutedTo(node, "p2", 9), node.name + " still routes to p2");
    }
    assertEquals("CLOSED", json(admin(NODES.get(0), "POST", "/admin/providers/p2/breaker/close").body())
        .get("to").asText());
    for (RiataProcess node : NODES) {
      await(() -> !noneRoutedTo(node, "p2", 9), node.name + " never routed to p2 again");
    }
  }

  @Test
  @Order(4)
  void aReloadSentToOneNodeReachesEveryNode() throws IOException {
    Files.writeString(chains, yaml.replace("strategy: round-robin", "strategy: priority"));
    try {
      HttpResponse<String> r = admin(NODES.get(1), "POST", "/admin/reload");
      assertEquals(200, r.statusCode(), r.body());
      for (RiataProcess node : NODES) {
        await(() -> json(admin(node, "GET", "/admin/chains/c").body()).get("strategy").asText().equals("priority"),
            node.name + " did not take the reload");
        await(() -> routedTo(node).equals("p1") && routedTo(node).equals("p1") && routedTo(node).equals("p1"),
            node.name + " does not route by priority");
      }
    } finally {
      Files.writeString(chains, yaml);
      admin(NODES.get(0), "POST", "/admin/reload");
    }
  }

  @Test
  @Order(5)
  void aDrainOutlivesThePoolMovingToAnotherNode() throws Exception {
    assertEquals(200, admin(NODES.get(0), "POST", "/admin/providers/p3/drain").statusCode());
    for (RiataProcess node : NODES) {
      await(() -> noneRoutedTo(node, "p3", 9), node.name + " still routes to p3");
    }
    String host = poolHost(NODES.get(0));
    RiataProcess leaving = NODES.stream().filter(n -> host.equals(RiataProcess.address(n.clusterPort)))
        .findFirst().orElseThrow(() -> new AssertionError("pool host " + host + " is none of the nodes"));
    List<RiataProcess> survivors = NODES.stream().filter(n -> n != leaving).toList();
    long versionBefore = json(admin(survivors.get(0), "GET", "/admin/chains/c").body())
        .get("snapshot").get("version").asLong();
    assertTrue(leaving.stop(Duration.ofSeconds(30)), leaving.name + " did not stop");
    long stoppedAt = System.currentTimeMillis();
    await(() -> {
      String now = poolHost(survivors.get(0));
      return now != null && !now.equals(host);
    }, "the pool did not start again on a survivor");
    String newHost = poolHost(survivors.get(0));
    // The new incarnation publishes only once it has read the stored drains back. Its snapshot
    // is the one received after the old host had exited, or numbered below the old one's (the new
    // incarnation counts from the start, and may pass the old count after a few seconds).
    await(() -> {
      for (RiataProcess node : survivors) {
        JsonNode snapshot = json(admin(node, "GET", "/admin/chains/c").body()).get("snapshot");
        long ageMs = snapshot.get("ageMs").asLong();
        boolean afterTheOldHost = System.currentTimeMillis() - ageMs > stoppedAt;
        if (ageMs > 1500 || !(afterTheOldHost || snapshot.get("version").asLong() < versionBefore)) {
          return false; // still the old incarnation's snapshot
        }
      }
      return true;
    }, "the survivors get no fresh snapshot");
    SimulatedProvider p3 = SIMS.get(2);
    p3.resetCounts();
    for (int round = 0; round < 20; round++) {
      for (RiataProcess node : survivors) {
        assertEquals(200, rpc(node).statusCode());
      }
    }
    System.out.printf("pool moved from %s to %s; p3 got %d of 40 requests%n", host, newHost, p3.requests(METHOD));
    assertEquals(0, p3.requests(METHOD), "the drain was lost when the pool moved");
    for (RiataProcess node : survivors) {
      assertTrue(json(admin(node, "GET", "/admin/providers/p3").body()).get("cluster").get("drained").asBoolean());
    }
  }

  // ---- helpers -----------------------------------------------------------------------------

  private static String poolHost(RiataProcess node) {
    HttpResponse<String> r = admin(node, "GET", "/admin/cluster/shards");
    if (r.statusCode() != 200) {
      return null; // statistics time out while a node is leaving
    }
    JsonNode entity = json(r.body()).get("entityTypes").get("ProviderPool").get("entities").get(0);
    return entity.get("node").isNull() ? null : entity.get("node").asText();
  }

  private static boolean noneRoutedTo(RiataProcess node, String provider, int requests) {
    for (int i = 0; i < requests; i++) {
      if (routedTo(node).equals(provider)) {
        return false;
      }
    }
    return true;
  }

  private static String routedTo(RiataProcess node) {
    HttpResponse<String> r = rpc(node);
    return r.headers().firstValue(RoutingHeaders.PROVIDER).orElse("none");
  }

  private static HttpResponse<String> rpc(RiataProcess node) {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + "/rpc/c"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(call(METHOD, "[]", 1))));
  }

  private static HttpResponse<String> admin(RiataProcess node, String method, String path) {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.operatorPort + path))
        .header("Authorization", "Bearer " + TOKEN)
        .method(method, HttpRequest.BodyPublishers.noBody()));
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return HTTP.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void await(BooleanSupplier condition, String failure) {
    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < until) {
      if (condition.getAsBoolean()) {
        return;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new AssertionError(failure);
  }
}
