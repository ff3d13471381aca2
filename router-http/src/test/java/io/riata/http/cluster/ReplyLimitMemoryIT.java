package io.riata.http.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Replies far over the limit cost the node nothing: a node JVM with 128 MiB of heap and 32 MiB of
 * direct memory gets sixteen 256 MiB replies at once (half with a Content-Length, half chunked),
 * answers each with -32055, stops reading each after at most about the limit, and goes on serving.
 * A node that held a reply whole would run out of memory on the first one.
 */
class ReplyLimitMemoryIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final long HUGE = 256L << 20;
  private static final int LIMIT = 1 << 20;
  private static BigReplies provider;
  private static RiataProcess node;

  @BeforeAll
  static void start() throws Exception {
    provider = new BigReplies(HUGE);
    node = provider.startNode("big", "reply-limit-it", List.of("-Xmx128m", "-XX:MaxDirectMemorySize=32m",
        "-Driata.http.upstream.max-response-size=" + LIMIT));
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) {
      node.close();
    }
    provider.close();
  }

  private static CompletableFuture<HttpResponse<String>> post(String body) {
    return HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + "/rpc/big"))
        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void repliesFarOverTheLimitAreRefusedWithoutBeingHeld() throws Exception {
    List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
    for (int i = 1; i <= 16; i++) {
      // Round robin alternates the two providers: both kinds of framing are hit.
      pending.add(post("{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"eth_getLogs\",\"params\":[{}]}"));
    }
    List<String> providers = new ArrayList<>();
    for (CompletableFuture<HttpResponse<String>> p : pending) {
      HttpResponse<String> r = p.get();
      JsonNode error = JSON.readTree(r.body()).path("error");
      assertEquals(-32055, error.path("code").asInt(), r.body());
      assertEquals(LIMIT, error.path("data").path("limitBytes").asLong(), r.body());
      providers.add(error.path("data").path("provider").asText());
    }
    System.out.printf("16 replies of 256 MiB: answered by %s; the provider wrote %d MiB in all before the node hung up%n",
        providers, provider.writtenInAll() >> 20);
    assertTrue(providers.contains("chunked") && providers.contains("sized"), providers.toString());
    // Each reply read to the limit at most, plus what sat in socket buffers when the node hung up.
    assertTrue(provider.writtenInAll() < 16L * 16 * LIMIT, "the node stopped reading: " + (provider.writtenInAll() >> 20) + " MiB written");
    HttpResponse<String> small = post("{\"jsonrpc\":\"2.0\",\"id\":99,\"method\":\"eth_blockNumber\",\"params\":[]}").get();
    assertEquals("0x10", JSON.readTree(small.body()).path("result").asText(), "the node is still serving");
    assertEquals(200, node.readyStatus());
  }
}
