package io.riata.http.rpc;

import static io.riata.http.TestNodes.json;
import static io.riata.http.TestNodes.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.riata.http.RiataServer;
import io.riata.http.TestNodes;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real request/response pairs recorded from an Ethereum client (the execution-apis suite): a
 * recorded upstream serves them, and every answer through Riata must equal the recording as JSON,
 * results and errors alike.
 */
class ConformanceIT {

  private static final Path DATA = Path.of("src", "test", "resources", "conformance", "execution-apis");
  /** The chain id of the chain the recordings were made on. */
  private static final long CHAIN_ID = Long.parseLong("c72dd9d5e883e", 16);

  /** The pairs of the file being replayed, queued per request (method and params, id ignored). */
  private static volatile Map<String, Deque<JsonNode>> recorded = Map.of();
  private static HttpServer upstream;
  private static RiataServer server;

  private record Pair(String request, String response) {}

  @BeforeAll
  static void start() throws IOException {
    upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    upstream.setExecutor(Executors.newFixedThreadPool(4));
    upstream.createContext("/", exchange -> {
      byte[] answer;
      try {
        JsonNode request = TestNodes.JSON.readTree(exchange.getRequestBody().readAllBytes());
        answer = TestNodes.JSON.writeValueAsBytes(answer(request));
      } catch (IOException e) {
        answer = "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"parse\"}}".getBytes(StandardCharsets.UTF_8);
      }
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    upstream.start();
    URI url = URI.create("http://127.0.0.1:" + upstream.getAddress().getPort() + "/");
    server = TestNodes.start(TestNodes.config(
        List.of(TestNodes.chain("recorded", CHAIN_ID, "priority", List.of(TestNodes.provider("recorder", url, 1)))),
        List.of()), "riata.http.limits.max-body-size = 8MiB");
  }

  @AfterAll
  static void stop() {
    server.close();
    upstream.stop(0);
  }

  private static String key(JsonNode request) {
    return request.path("method").asText() + " " + request.path("params");
  }

  private static JsonNode answer(JsonNode request) {
    Deque<JsonNode> queue = recorded.get(key(request));
    JsonNode reply;
    synchronized (ConformanceIT.class) {
      reply = queue == null || queue.isEmpty() ? null : queue.poll();
    }
    if (reply == null) {
      String text = request.path("method").asText().equals("eth_blockNumber")
          ? "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x36\"}" // the head probe
          : "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32601,\"message\":\"not recorded\"}}";
      reply = json(text);
    }
    ObjectNode copy = reply.deepCopy();
    copy.set("id", request.get("id"));
    return copy;
  }

  static Stream<Path> recordings() throws IOException {
    try (Stream<Path> files = Files.walk(DATA)) {
      return files.filter(p -> p.toString().endsWith(".io")).sorted().toList().stream();
    }
  }

  private static List<Pair> pairs(Path file) throws IOException {
    List<Pair> pairs = new ArrayList<>();
    String request = null;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.startsWith(">> ")) {
        request = line.substring(3);
      } else if (line.startsWith("<< ") && request != null) {
        pairs.add(new Pair(request, line.substring(3)));
        request = null;
      }
    }
    return pairs;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("recordings")
  void answersEqualTheRecording(Path file) throws IOException {
    List<Pair> pairs = pairs(file);
    assertTrue(!pairs.isEmpty(), "no pairs in " + file);
    Map<String, Deque<JsonNode>> byRequest = new HashMap<>();
    for (Pair pair : pairs) {
      byRequest.computeIfAbsent(key(json(pair.request())), k -> new ArrayDeque<>()).add(json(pair.response()));
    }
    recorded = byRequest;
    for (Pair pair : pairs) {
      HttpResponse<String> r = post(server, "/rpc/recorded", pair.request());
      assertEquals(200, r.statusCode(), r.body());
      assertEquals(json(pair.response()), json(r.body()), "through Riata: " + pair.request());
    }
  }

  static {
    if (!Files.isDirectory(DATA)) {
      throw new IllegalStateException("conformance data not found at " + DATA.toAbsolutePath());
    }
  }
}
