package io.riata.http.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.riata.core.config.ProviderConfig;
import io.riata.http.RiataServer;
import io.riata.http.TestNodes;
import io.riata.http.sim.SimSettings;
import io.riata.http.sim.SimulatedProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Hostile bodies, generated, posted to a live node on loopback (one simulated provider behind it
 * answers whatever gets through): deep nesting, huge numbers, invalid UTF-8, duplicate keys, wrong
 * types, giant strings, batch edges and plain garbage. Every answer must be HTTP 200 with valid
 * JSON-RPC (or 204 for notifications only), never a 5xx; a body that is not JSON at all must get
 * -32700 with id null; and the node must still answer afterwards.
 *
 * <p>CI runs 1,500 bodies (jqwik's {@code jqwik.tries.default} in this module's
 * junit-platform.properties); for the large run:
 * {@code mvn -pl router-http verify -Dtest=none -Dit.test=FuzzIT -Djqwik.tries.default=100000}.
 */
class FuzzIT {

  /** The oracle for "is this JSON at all": strict about trailing content; duplicate names are JSON. */
  private static final ObjectMapper STRICT = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();
  private static final ObjectMapper LENIENT = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final AtomicLong SENT = new AtomicLong();
  private static SimulatedProvider sim;
  private static RiataServer server;

  @BeforeContainer
  static void start() throws Exception {
    sim = SimulatedProvider.start(SimSettings.healthy("fuzz", 312));
    ProviderConfig provider = TestNodes.provider("p1", sim.httpUrl(), 1);
    server = TestNodes.start(TestNodes.config(List.of(TestNodes.chain("fuzz", 312, "priority", List.of(provider))),
        List.of()), "");
  }

  @AfterContainer
  static void stop() throws Exception {
    try {
      HttpResponse<String> health = post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}"
          .getBytes(StandardCharsets.UTF_8));
      System.out.printf("fuzz: %d hostile bodies answered; the node still answers eth_chainId: %s%n", SENT.get(),
          health.body());
      assertEquals(200, health.statusCode());
      assertEquals("0x138", LENIENT.readTree(health.body()).path("result").asText());
    } finally {
      if (server != null) {
        server.close();
      }
      if (sim != null) {
        sim.close();
      }
    }
  }

  @Property(seed = "20261202")
  void everyHostileBodyGetsValidJsonRpcAndNeverA5xx(@ForAll("hostileBodies") byte[] body) throws Exception {
    HttpResponse<String> r = post(body);
    SENT.incrementAndGet();
    String shown = new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8);
    assertTrue(r.statusCode() == 200 || r.statusCode() == 204, r.statusCode() + " for " + shown + ": " + r.body());
    if (r.statusCode() == 204) {
      return;
    }
    JsonNode answer = LENIENT.readTree(r.body());
    if (answer.isArray()) {
      assertTrue(answer.size() > 0, "an empty batch answer for " + shown);
      answer.forEach(a -> assertReply(a, shown));
    } else {
      assertReply(answer, shown);
    }
    if (!isJson(body)) {
      assertTrue(answer.isObject(), "not JSON, yet a batch answer: " + shown);
      assertEquals(-32700, answer.path("error").path("code").asInt(), "not JSON: " + shown + " got " + r.body());
      assertTrue(answer.get("id").isNull(), r.body());
    }
  }

  private static void assertReply(JsonNode reply, String sent) {
    assertTrue(reply.isObject(), "not an object: " + reply + " for " + sent);
    assertEquals("2.0", reply.path("jsonrpc").asText(), reply + " for " + sent);
    assertTrue(reply.has("id"), "no id: " + reply);
    assertTrue(reply.has("result") != reply.has("error"), "result xor error: " + reply);
    if (reply.has("error")) {
      assertTrue(reply.get("error").path("code").isInt(), "error without an integer code: " + reply);
      assertTrue(reply.get("error").path("message").isTextual(), "error without a message: " + reply);
    }
  }

  /** Whether strict JSON accepts the body (Riata's parser may be stricter, never looser). */
  private static boolean isJson(byte[] body) {
    try {
      STRICT.readTree(body);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private static HttpResponse<String> post(byte[] body) throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/rpc/fuzz"))
        .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Provide
  Arbitrary<byte[]> hostileBodies() {
    return Arbitraries.frequencyOf(
        Tuple.of(3, wellShapedWithWrongParts().map(FuzzIT::utf8)),
        Tuple.of(2, batches().map(FuzzIT::utf8)),
        Tuple.of(1, deepNesting().map(FuzzIT::utf8)),
        Tuple.of(1, hugeNumbers().map(FuzzIT::utf8)),
        Tuple.of(1, duplicateKeys().map(FuzzIT::utf8)),
        Tuple.of(1, giantStrings().map(FuzzIT::utf8)),
        Tuple.of(2, invalidUtf8()),
        Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(300)),
        Tuple.of(1, truncated()));
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Any JSON value, of the kinds that end up where a field expects another kind. */
  private static Arbitrary<String> anyValue() {
    return Arbitraries.oneOf(
        Arbitraries.of("null", "true", "false", "0", "-1", "1.5", "1e400", "-0", "\"\"", "{}", "[]", "[[]]",
            "{\"a\":1}", "\"0x1\"", "\"latest\"", "9223372036854775808", "\"\\u0000\"", "\"\\ud800\""),
        Arbitraries.strings().ofMaxLength(20).map(s -> quote(s)),
        Arbitraries.longs().map(String::valueOf));
  }

  private static Arbitrary<String> wellShapedWithWrongParts() {
    Arbitrary<String> jsonrpc = Arbitraries.oneOf(Arbitraries.just("\"2.0\""), anyValue());
    Arbitrary<String> method = Arbitraries.oneOf(
        Arbitraries.of("\"eth_blockNumber\"", "\"eth_chainId\"", "\"eth_getBalance\"", "\"eth_call\"",
            "\"eth_getBlockByNumber\"", "\"eth_subscribe\"", "\"nope\"", "\"\""), anyValue());
    Arbitrary<String> params = Arbitraries.oneOf(Arbitraries.of("[]", "[\"0x1\",false]", "{}", "[null]"), anyValue());
    Arbitrary<String> id = Arbitraries.oneOf(Arbitraries.of("1", "\"a\"", "null"), anyValue());
    Arbitrary<Integer> omit = Arbitraries.integers().between(0, 8); // which member to leave out, if any
    return Combinators.combine(jsonrpc, method, params, id, omit).as((j, m, p, i, o) -> {
      List<String> members = new ArrayList<>();
      if (o != 1) {
        members.add("\"jsonrpc\":" + j);
      }
      if (o != 2) {
        members.add("\"method\":" + m);
      }
      if (o != 3) {
        members.add("\"params\":" + p);
      }
      if (o != 4) {
        members.add("\"id\":" + i);
      }
      return "{" + String.join(",", members) + "}";
    });
  }

  private static Arbitrary<String> batches() {
    Arbitrary<String> element = Arbitraries.oneOf(wellShapedWithWrongParts(), anyValue());
    return Arbitraries.oneOf(
        Arbitraries.of("[]", "[[]]", "[1]", "[null]", "[{}]", "[[{}]]"),
        element.list().ofMinSize(1).ofMaxSize(30).map(l -> "[" + String.join(",", l) + "]"),
        Arbitraries.integers().between(999, 1002).map(n ->
            "[" + String.join(",", Collections.nCopies(n,
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}")) + "]"));
  }

  private static Arbitrary<String> deepNesting() {
    return Arbitraries.integers().between(1, 5000).flatMap(depth -> Arbitraries.of("[", "{\"a\":").map(open -> {
      String close = open.equals("[") ? "]" : "}";
      String inner = "1";
      return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_call\",\"params\":" + open.repeat(depth) + inner
          + close.repeat(depth) + "}";
    }));
  }

  private static Arbitrary<String> hugeNumbers() {
    return Arbitraries.integers().between(20, 5000).map(digits ->
        "{\"jsonrpc\":\"2.0\",\"id\":" + "9".repeat(digits) + ",\"method\":\"eth_blockNumber\",\"params\":[" + "1".repeat(digits)
            + "e" + digits + "]}");
  }

  private static Arbitrary<String> duplicateKeys() {
    return Arbitraries.of(
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"eth_blockNumber\",\"params\":[]}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"method\":\"eth_chainId\",\"params\":[]}",
        "{\"jsonrpc\":\"1.0\",\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[],\"params\":{}}");
  }

  private static Arbitrary<String> giantStrings() {
    return Arbitraries.integers().between(10_000, 400_000).flatMap(n -> Arbitraries.of("method", "id", "param")
        .map(where -> {
          String giant = quote("x".repeat(n));
          return switch (where) {
            case "method" -> "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":" + giant + ",\"params\":[]}";
            case "id" -> "{\"jsonrpc\":\"2.0\",\"id\":" + giant + ",\"method\":\"eth_chainId\",\"params\":[]}";
            default -> "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getBalance\",\"params\":[" + giant + ",\"latest\"]}";
          };
        }));
  }

  /** A well-shaped request with bytes that are not UTF-8 inside a string or around it. */
  private static Arbitrary<byte[]> invalidUtf8() {
    Arbitrary<byte[]> bad = Arbitraries.of(
        new byte[] {(byte) 0xC3}, new byte[] {(byte) 0xFF}, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
        new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, new byte[] {(byte) 0x80},
        new byte[] {(byte) 0xC0, (byte) 0xAF}, new byte[] {0});
    return Combinators.combine(bad, Arbitraries.of("method", "id", "outside")).as((b, where) -> {
      String before = switch (where) {
        case "method" -> "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_";
        case "id" -> "{\"jsonrpc\":\"2.0\",\"id\":\"";
        default -> "{\"jsonrpc\":\"2.0\",\"id\":1,";
      };
      String after = switch (where) {
        case "method" -> "\",\"params\":[]}";
        case "id" -> "\",\"method\":\"eth_chainId\",\"params\":[]}";
        default -> "\"method\":\"eth_chainId\",\"params\":[]}";
      };
      byte[] head = utf8(before);
      byte[] tail = utf8(after);
      byte[] out = new byte[head.length + b.length + tail.length];
      System.arraycopy(head, 0, out, 0, head.length);
      System.arraycopy(b, 0, out, head.length, b.length);
      System.arraycopy(tail, 0, out, head.length + b.length, tail.length);
      return out;
    });
  }

  /** A valid request cut short anywhere. */
  private static Arbitrary<byte[]> truncated() {
    byte[] whole = utf8("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getBalance\",\"params\":[\"0x"
        + "ab".repeat(20) + "\",\"latest\"]},{\"jsonrpc\":\"2.0\",\"id\":\"two\",\"method\":\"eth_chainId\"}]");
    return Arbitraries.integers().between(1, whole.length - 1).map(n -> Arrays.copyOf(whole, n));
  }

  private static String quote(String s) {
    try {
      return LENIENT.writeValueAsString(s);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
