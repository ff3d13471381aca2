package io.riata.core.jsonrpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The scanner in {@link ReplyInspector} against the Jackson code it replaced ({@link JacksonReplyOracle}):
 * the same {@link UpstreamReply} for the execution-apis conformance replies, whole, cut short, re-spaced
 * and re-ordered; for real providers' replies; for hand-written edge cases; around Jackson's limits;
 * for every short sequence of reply-ish tokens; and for seeded random replies, whole and mutated.
 * Every body is also inspected from the middle of a larger buffer.
 */
class ReplyInspectorDifferentialTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static List<byte[]> conformance;

  @BeforeAll
  static void readConformanceReplies() throws IOException {
    Path here = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    Path root = here;
    while (root != null && !Files.isDirectory(root.resolve("router-core"))) {
      root = root.getParent();
    }
    if (root == null) {
      fail("cannot find the repository root (a directory holding router-core) above " + here);
    }
    Path dir = root.resolve("../shared/conformance/execution-apis").normalize();
    if (!Files.isDirectory(dir)) {
      fail("the execution-apis conformance replies are missing: expected them at " + dir
          + " (../shared/conformance beside the repository, present on every build machine)");
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files = walk.filter(f -> f.toString().endsWith(".io")).sorted().collect(Collectors.toList());
    }
    conformance = new ArrayList<>();
    for (Path f : files) {
      for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
        if (line.startsWith("<< ")) {
          conformance.add(line.substring(3).getBytes(StandardCharsets.UTF_8));
        }
      }
    }
    if (conformance.size() < 100) {
      fail("only " + conformance.size() + " replies in " + files.size() + " .io files under " + dir);
    }
  }

  @Test
  void agreesOnEveryConformanceReply() {
    Comparison c = new Comparison();
    int wellFormed = 0;
    for (byte[] reply : conformance) {
      if (c.check("conformance", reply).wellFormed()) {
        wellFormed++;
      }
    }
    c.assertAgreed();
    assertEquals(conformance.size(), wellFormed, "every conformance reply is a well-formed reply");
  }

  @Test
  void agreesOnConformanceRepliesCutShort() {
    Comparison c = new Comparison();
    for (byte[] reply : conformance) {
      for (int cut : cuts(reply.length)) {
        c.check("cut at " + cut, Arrays.copyOf(reply, cut));
      }
    }
    c.assertAgreed();
  }

  @Test
  void agreesOnConformanceRepliesWithWhitespaceAdded() {
    Random random = new Random(11);
    Comparison c = new Comparison();
    for (byte[] reply : conformance) {
      c.check("spaced between tokens", spaceOut(reply, random));
      c.check("pretty printed", prettyPrinted(reply));
      c.check("whitespace anywhere", insertAnywhere(reply, random, 3));
    }
    c.assertAgreed();
  }

  @Test
  void agreesOnConformanceRepliesWithMembersReordered() throws IOException {
    Random random = new Random(12);
    Comparison c = new Comparison();
    for (byte[] reply : conformance) {
      ObjectNode tree = (ObjectNode) MAPPER.readTree(reply);
      c.check("members reversed", MAPPER.writeValueAsBytes(reorder(tree, random, false)));
      c.check("members shuffled at every level", MAPPER.writeValueAsBytes(reorder(tree, random, true)));
    }
    c.assertAgreed();
  }

  @Test
  void agreesOnRealProvidersReplies() throws IOException {
    Comparison c = new Comparison();
    try (InputStream in = getClass().getResourceAsStream("/failover/upstream-replies.json")) {
      for (JsonNode r : MAPPER.readTree(in)) {
        String body = r.has("body") ? MAPPER.writeValueAsString(r.get("body")) : r.get("text").asText();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        c.check(r.get("source").asText(), bytes);
        for (int cut : cuts(bytes.length)) {
          c.check("cut at " + cut, Arrays.copyOf(bytes, cut));
        }
      }
    }
    c.assertAgreed();
  }

  @Test
  void agreesOnHandWrittenEdgeCases() {
    Comparison c = new Comparison();
    for (String body : EDGE_CASES) {
      c.check("edge case", body.getBytes(StandardCharsets.UTF_8));
    }
    for (String body : RAW_EDGE_CASES) {
      c.check("raw bytes", body.getBytes(StandardCharsets.ISO_8859_1));
    }
    c.assertAgreed();
  }

  @Test
  void agreesAroundTheNestingLimit() {
    Comparison c = new Comparison();
    for (int depth : new int[] {63, 64, 65, 66, 128, 129, 997, 998, 999, 1000, 1001, 1002}) {
      c.check("arrays in result", wrap("{\"result\":", nested(depth - 1, "[", "]", "1"), "}"));
      c.check("objects in result", wrap("{\"result\":", nested(depth - 1, "{\"a\":", "}", "1"), "}"));
      c.check("mixed in result", wrap("{\"result\":", mixed(depth - 1), "}"));
      c.check("arrays in error.data",
          wrap("{\"error\":{\"code\":1,\"data\":", nested(depth - 2, "[", "]", "1"), ",\"message\":\"m\"}}"));
      c.check("arrays in another member", wrap("{\"x\":", nested(depth - 1, "[", "]", "[]"), ",\"result\":1}"));
    }
    StringBuilder deepMismatch = new StringBuilder("{\"result\":");
    deepMismatch.append(mixed(300));
    deepMismatch.setCharAt(deepMismatch.lastIndexOf("}"), ']');
    c.check("mismatch 300 deep", wrap(deepMismatch.toString(), "", "}"));
    Random random = new Random(13);
    for (int i = 0; i < 200; i++) {
      int depth = 60 + random.nextInt(945);
      boolean[] objects = new boolean[depth];
      for (int d = 0; d < depth; d++) {
        objects[d] = random.nextBoolean();
      }
      c.check("random shape " + depth + " deep", randomlyNested(objects, -1));
      c.check("random shape with one wrong closer", randomlyNested(objects, random.nextInt(depth)));
    }
    c.check("a hundred thousand open arrays", wrap("{\"result\":", "[".repeat(100_000), ""));
    c.check("a hundred thousand closed arrays", wrap("{\"result\":", nested(100_000, "[", "]", ""), "}"));
    c.assertAgreed();
  }

  @Test
  void agreesAroundJacksonsLengthLimits() {
    Comparison c = new Comparison();
    for (int n : new int[] {999, 1000, 1001}) {
      String digits = "7".repeat(n);
      c.check(n + "-digit integer", ascii("{\"result\":" + digits + "}"));
      c.check(n + "-digit negative integer", ascii("{\"result\":-" + digits + "}"));
      c.check(n + "-digit code", ascii("{\"error\":{\"code\":" + digits + "}}"));
      c.check(n + " digits with a fraction", ascii("{\"result\":" + digits.substring(2) + ".5e1}"));
      c.check(n + " digits, most in the fraction", ascii("{\"result\":1." + digits.substring(3) + "E+5}"));
      c.check(n + " digits, most in the exponent", ascii("{\"result\":1.5e-" + digits.substring(2) + "}"));
    }
    for (int n : new int[] {49_999, 50_000, 50_001}) {
      c.check(n + "-byte name", ascii("{\"" + "n".repeat(n) + "\":1,\"result\":1}"));
      c.check(n + "-byte name in error",
          ascii("{\"error\":{\"" + "n".repeat(n) + "\":1,\"message\":\"m\"}}"));
      c.check(n + "-byte name of escapes", ascii("{\"" + "\\u00e9".repeat(n / 2) + "n".repeat(n % 2) + "\":1,\"result\":1}"));
      c.check(n + "-byte name of three-byte characters",
          utf8("{\"" + "\u20ac".repeat(n / 3) + "n".repeat(n % 3) + "\":1,\"result\":1}"));
      c.check(n + "-byte name of four-byte characters",
          utf8("{\"" + "\ud83d\ude00".repeat(n / 4) + "n".repeat(n % 4) + "\":1,\"result\":1}"));
      c.check(n + "-byte name of escaped surrogate pairs",
          ascii("{\"" + "\\ud83d\\ude00".repeat(n / 4) + "n".repeat(n % 4) + "\":1,\"result\":1}"));
    }
    c.check("long message", utf8("{\"error\":{\"message\":\"" + "\\\"slow\\\" \u20ac ".repeat(20_000) + "\"}}"));
    c.assertAgreed();
  }

  /** Every sequence of up to four tokens after an opening brace, and of up to three after deeper openings. */
  @Test
  void agreesOnEveryShortTokenSequence() {
    String[] tokens = {"}", "{", "]", "[", ":", ",", "\"result\"", "\"error\"", "\"code\"", "\"message\"", "1", "\"m\""};
    Comparison c = new Comparison();
    sweep(c, "{", tokens, 4);
    for (String prefix : new String[] {"{\"result\":", "{\"error\":", "{\"error\":{", "{\"error\":{\"code\":",
        "{\"id\":1,\"error\":{\"message\":\"m\","}) {
      sweep(c, prefix, tokens, 3);
    }
    c.assertAgreed();
  }

  private static void sweep(Comparison c, String prefix, String[] tokens, int maxLength) {
    int[] pick = new int[maxLength];
    for (int length = 0; length <= maxLength; length++) {
      Arrays.fill(pick, 0);
      while (true) {
        StringBuilder body = new StringBuilder(prefix);
        for (int i = 0; i < length; i++) {
          body.append(tokens[pick[i]]);
        }
        c.check("tokens", ascii(body.toString()));
        int i = 0;
        while (i < length && ++pick[i] == tokens.length) {
          pick[i++] = 0;
        }
        if (i == length) {
          break;
        }
      }
    }
  }

  @Test
  void agreesOnRandomRepliesAndTheirMutants() {
    RandomReplies generator = new RandomReplies(20_261_207L);
    Random random = new Random(7);
    Comparison c = new Comparison();
    int wellFormed = 0;
    int errors = 0;
    for (int i = 0; i < 4000; i++) {
      byte[] reply = utf8(generator.reply());
      UpstreamReply verdict = c.check("random", reply);
      wellFormed += verdict.wellFormed() ? 1 : 0;
      errors += verdict.wellFormed() && !verdict.hasResult() ? 1 : 0;
      for (int m = 0; m < 12; m++) {
        byte[] mutant = reply;
        int count = m < 8 ? 1 : 2 + random.nextInt(2);
        for (int k = 0; k < count; k++) {
          mutant = mutate(mutant, random);
        }
        c.check("mutant", mutant);
      }
      c.check("cut short", Arrays.copyOf(reply, random.nextInt(reply.length)));
      c.check("whitespace anywhere", insertAnywhere(reply, random, 1));
    }
    c.assertAgreed();
    // The generator must exercise both kinds of reply, not just malformed bodies.
    assertTrue(wellFormed > 2500, "well-formed random replies: " + wellFormed);
    assertTrue(errors > 1000, "error replies among them: " + errors);
  }

  @Test
  void anyReplyInsideALargerBufferIsReadWithinItsBounds() {
    byte[] reply = ascii("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}");
    byte[] buffer = new byte[reply.length + 20];
    Arrays.fill(buffer, (byte) '}');
    System.arraycopy(reply, 0, buffer, 7, reply.length);
    assertEquals(JacksonReplyOracle.inspect(reply), ReplyInspector.inspect(buffer, 7, reply.length));
    assertTrue(ReplyInspector.inspect(buffer, 7, reply.length).hasResult());
    // Cut one short, the closing brace just past the end must not complete it.
    assertFalse(ReplyInspector.inspect(buffer, 7, reply.length - 1).wellFormed());
    assertFalse(ReplyInspector.inspect(buffer, 7, 0).wellFormed());
    assertFalse(ReplyInspector.inspect(buffer, -1, 4).wellFormed());
    assertFalse(ReplyInspector.inspect(buffer, 7, buffer.length).wellFormed());
    assertFalse(ReplyInspector.inspect(null, 0, 1).wellFormed());
    assertFalse(ReplyInspector.inspect(null).wellFormed());
  }

  /**
   * The deliberate changes: the Jackson code stopped reading at the reply object's closing brace,
   * and let Jackson detect UTF-16 and UTF-32 bodies; the scanner reads only UTF-8 (as JSON over HTTP
   * is) and calls anything after the object but whitespace malformed.
   */
  @Test
  void trailingBytesAndNonUtf8BodiesAreTheIntendedDifferences() {
    for (String body : new String[] {"{\"result\":1}x", "{\"result\":1}{\"result\":2}", "{\"result\":1},",
        "{\"error\":{\"code\":1}} 1"}) {
      byte[] bytes = ascii(body);
      assertTrue(JacksonReplyOracle.inspectAsReleased(bytes, 0, bytes.length).wellFormed(), body);
      assertFalse(ReplyInspector.inspect(bytes).wellFormed(), body);
      assertEquals(JacksonReplyOracle.inspect(bytes), ReplyInspector.inspect(bytes), body);
    }
    String reply = "{\"result\":1}";
    for (Charset charset : new Charset[] {
        StandardCharsets.UTF_16, StandardCharsets.UTF_16BE, StandardCharsets.UTF_16LE,
        Charset.forName("UTF-32BE"), Charset.forName("UTF-32LE")}) {
      byte[] bytes = reply.getBytes(charset);
      assertTrue(JacksonReplyOracle.inspect(bytes).wellFormed(), charset.name());
      assertFalse(ReplyInspector.inspect(bytes).wellFormed(), charset.name());
    }
  }

  // ---- comparing ------------------------------------------------------------------------------

  /** Runs both on a body, alone and inside a larger buffer, and keeps the first disagreements. */
  private static final class Comparison {
    private static final byte[] BEFORE = ascii("[{\"result\":{\"error\":");
    private static final byte[] AFTER = ascii("}}]\"\\ 1");
    private final List<String> disagreements = new ArrayList<>();
    private int cases;
    private int count;

    UpstreamReply check(String what, byte[] body) {
      cases++;
      UpstreamReply expected = JacksonReplyOracle.inspect(body);
      UpstreamReply actual = ReplyInspector.inspect(body);
      if (!expected.equals(actual)) {
        note(what, body, expected, actual);
      }
      byte[] buffer = new byte[BEFORE.length + body.length + AFTER.length];
      System.arraycopy(BEFORE, 0, buffer, 0, BEFORE.length);
      System.arraycopy(body, 0, buffer, BEFORE.length, body.length);
      System.arraycopy(AFTER, 0, buffer, BEFORE.length + body.length, AFTER.length);
      UpstreamReply embedded = ReplyInspector.inspect(buffer, BEFORE.length, body.length);
      if (!expected.equals(embedded)) {
        note(what + ", inside a larger buffer", body, expected, embedded);
      }
      return expected;
    }

    private void note(String what, byte[] body, UpstreamReply expected, UpstreamReply actual) {
      count++;
      if (disagreements.size() < 20) {
        disagreements.add(what + ": " + show(body) + "\n    jackson: " + show(expected) + "\n    scanner: " + show(actual));
      }
    }

    void assertAgreed() {
      if (!disagreements.isEmpty()) {
        fail(count + " of " + cases + " cases disagree, the first:\n" + String.join("\n", disagreements));
      }
    }

    private static String show(UpstreamReply reply) {
      String message = reply.errorMessage();
      if (message == null) {
        return reply.toString();
      }
      StringBuilder s = new StringBuilder();
      message.chars().limit(200).forEach(
          c -> s.append(c >= 0x20 && c < 0x7F ? String.valueOf((char) c) : String.format("\\u%04x", c)));
      return reply.wellFormed() + " " + reply.hasResult() + " " + reply.errorCode() + " \"" + s + "\"";
    }

    private static String show(byte[] body) {
      StringBuilder s = new StringBuilder();
      for (int i = 0; i < Math.min(body.length, 300); i++) {
        int b = body[i] & 0xFF;
        s.append(b >= 0x20 && b < 0x7F ? String.valueOf((char) b) : String.format("\\x%02X", b));
      }
      return s.append(body.length > 300 ? "... (" + body.length + " bytes)" : "").toString();
    }
  }

  // ---- variations ------------------------------------------------------------------------------

  /** Every cut for a short body; for a long one, fifty spread evenly plus the last few bytes. */
  private static int[] cuts(int length) {
    if (length <= 400) {
      int[] all = new int[length];
      for (int i = 0; i < length; i++) {
        all[i] = i;
      }
      return all;
    }
    int[] some = new int[54];
    for (int i = 0; i < 50; i++) {
      some[i] = (int) ((long) length * i / 50);
    }
    for (int i = 1; i <= 4; i++) {
      some[49 + i] = length - i;
    }
    return some;
  }

  private static final byte[] WHITESPACE = {' ', '\t', '\n', '\r'};

  /** Whitespace before and after structural characters (outside strings), where JSON allows it. */
  private static byte[] spaceOut(byte[] body, Random random) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length * 2);
    out.write(WHITESPACE[random.nextInt(4)]);
    boolean inString = false;
    for (int i = 0; i < body.length; i++) {
      byte b = body[i];
      boolean structural = !inString && "{}[],:".indexOf(b) >= 0;
      if (structural && random.nextBoolean()) {
        writeWhitespace(out, random);
      }
      out.write(b);
      if (structural && random.nextBoolean()) {
        writeWhitespace(out, random);
      }
      if (inString && b == '\\') {
        out.write(body[++i]);
      } else if (b == '"') {
        inString = !inString;
      }
    }
    writeWhitespace(out, random);
    return out.toByteArray();
  }

  private static void writeWhitespace(ByteArrayOutputStream out, Random random) {
    for (int n = 1 + random.nextInt(3); n > 0; n--) {
      out.write(WHITESPACE[random.nextInt(4)]);
    }
  }

  /** Whitespace at random places, strings, numbers and literals included. */
  private static byte[] insertAnywhere(byte[] body, Random random, int count) {
    byte[] out = body;
    for (int k = 0; k < count; k++) {
      int at = random.nextInt(out.length + 1);
      byte[] next = new byte[out.length + 1];
      System.arraycopy(out, 0, next, 0, at);
      next[at] = WHITESPACE[random.nextInt(4)];
      System.arraycopy(out, at, next, at + 1, out.length - at);
      out = next;
    }
    return out;
  }

  private static byte[] prettyPrinted(byte[] body) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(MAPPER.readTree(body));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A copy of an object with its members reversed, or shuffled at every depth. */
  private static JsonNode reorder(JsonNode node, Random random, boolean everywhere) {
    if (node.isObject()) {
      List<Map.Entry<String, JsonNode>> members = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        members.add(it.next());
      }
      if (everywhere) {
        Collections.shuffle(members, random);
      } else {
        Collections.reverse(members);
      }
      ObjectNode copy = MAPPER.createObjectNode();
      for (Map.Entry<String, JsonNode> m : members) {
        copy.set(m.getKey(), everywhere ? reorder(m.getValue(), random, true) : m.getValue());
      }
      return copy;
    }
    if (node.isArray() && everywhere) {
      var copy = MAPPER.createArrayNode();
      node.forEach(e -> copy.add(reorder(e, random, true)));
      return copy;
    }
    return node;
  }

  private static final byte[] INTERESTING = ascii("{}[]\":,\\ \t\n0123456789-+.eEtrufalsn/u");

  /** One byte flipped (a bit, or replaced), deleted or duplicated. */
  private static byte[] mutate(byte[] body, Random random) {
    if (body.length == 0) {
      return body;
    }
    int at = random.nextInt(body.length);
    switch (random.nextInt(5)) {
      case 0: {
        byte[] out = body.clone();
        out[at] ^= (byte) (1 << random.nextInt(8));
        return out;
      }
      case 1: {
        byte[] out = body.clone();
        out[at] = random.nextInt(4) == 0 ? (byte) random.nextInt(256) : INTERESTING[random.nextInt(INTERESTING.length)];
        return out;
      }
      case 2: {
        byte[] out = new byte[body.length - 1];
        System.arraycopy(body, 0, out, 0, at);
        System.arraycopy(body, at + 1, out, at, body.length - at - 1);
        return out;
      }
      default: {
        byte[] out = new byte[body.length + 1];
        System.arraycopy(body, 0, out, 0, at + 1);
        System.arraycopy(body, at, out, at + 1, body.length - at);
        return out;
      }
    }
  }

  // ---- bodies --------------------------------------------------------------------------------

  private static String nested(int levels, String open, String close, String inside) {
    return open.repeat(levels) + inside + close.repeat(levels);
  }

  /** A result nested as {@code objects} says, level by level, closing level {@code wrong} with the other bracket. */
  private static byte[] randomlyNested(boolean[] objects, int wrong) {
    StringBuilder s = new StringBuilder("{\"result\":");
    for (boolean object : objects) {
      s.append(object ? "{\"k\":1,\"v\":" : "[2,");
    }
    s.append("null");
    for (int d = objects.length - 1; d >= 0; d--) {
      s.append(objects[d] != (d == wrong) ? ",\"z\":[]}" : ",{}]");
    }
    return ascii(s.append("}").toString());
  }

  /** Arrays and objects alternating, {@code levels} deep. */
  private static String mixed(int levels) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < levels; i++) {
      s.append(i % 2 == 0 ? "[1,{\"k\":\"v\",\"a\":" : "{\"a\":[true,");
    }
    s.append("null");
    for (int i = levels - 1; i >= 0; i--) {
      s.append(i % 2 == 0 ? "}]" : "]}");
    }
    return s.toString();
  }

  private static byte[] wrap(String before, String middle, String after) {
    return ascii(before + middle + after);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static final String[] EDGE_CASES = {
      "", " ", "{", "}", "{}", "[]", "null", "1", "\"result\"", "{\"result\"}", "{\"result\":}", "{\"result\" 1}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}",
      " \t\r\n{ \"result\" : 1 ,\n\"id\"\t:\r2 } \r\n\t ",
      "{\"result\":1}\u0000", "{\"result\":1}\u001e", "{\"result\":1}\u00a0", "{\"result\":1}//", "{\"result\":1}#",
      "\u001e{\"result\":1}", "\u00a0{\"result\":1}",
      "\ufeff{\"result\":1}", "\ufeff\ufeff{\"result\":1}", "\ufeff", "\ufeff{}", " \ufeff{\"result\":1}",
      "{\"error\":{\"code\":-32000,\"message\":\"header not found\"},\"id\":1,\"jsonrpc\":\"2.0\"}",
      "{\"id\":1,\"jsonrpc\":\"2.0\",\"result\":{\"hash\":\"0xab\",\"transactions\":[]}}",
      "{\"jsonrpc\":\"2.0\",\"error\":{\"message\":\"rate limited\",\"data\":{\"retry\":[1,2,{\"x\":null}]},\"code\":429},\"id\":null}",
      "{\"error\":{\"message\":\"q \\\"limit\\\" \\\\ \\/ \\b\\f\\n\\r\\t \\u0041\\u00e9\\u20ac \\ud83d\\ude00 \\ud800 \\udfff x\"}}",
      "{\"error\":{\"message\":\"\u00e9\u20ac\ud83d\ude00 raw\"}}",
      "{\"error\":{\"message\":\"\\x\"}}", "{\"error\":{\"message\":\"\\u12\"}}", "{\"error\":{\"message\":\"\\u12G4\"}}",
      "{\"error\":{\"message\":\"\\U0041\"}}", "{\"error\":{\"message\":\"\\'\"}}", "{\"error\":{\"message\":\"\\\"}}",
      "{\"error\":{\"message\":5}}", "{\"error\":{\"message\":null}}", "{\"error\":{\"message\":{}}}",
      "{\"error\":{\"message\":[\"a\"]}}", "{\"error\":{\"message\":\"\"}}",
      "{\"error\":{\"code\":0}}", "{\"error\":{\"code\":-0}}", "{\"error\":{\"code\":2147483647}}",
      "{\"error\":{\"code\":2147483648}}", "{\"error\":{\"code\":-2147483648}}", "{\"error\":{\"code\":-2147483649}}",
      "{\"error\":{\"code\":9999999999}}", "{\"error\":{\"code\":12345678901234567890}}",
      "{\"error\":{\"code\":1e3}}", "{\"error\":{\"code\":1.0}}", "{\"error\":{\"code\":-1.5E-7}}",
      "{\"error\":{\"code\":\"1\"}}", "{\"error\":{\"code\":null}}", "{\"error\":{\"code\":true}}",
      "{\"error\":{\"code\":[1]}}", "{\"error\":{\"code\":{\"v\":1}}}", "{\"error\":{\"code\":-32005}}",
      "{\"error\":{\"code\":01}}", "{\"error\":{\"code\":-}}", "{\"error\":{\"code\":1,\"code\":2}}",
      "{\"error\":{\"code\":1,\"code\":2.5}}", "{\"error\":{\"code\":1,\"code\":\"x\"}}",
      "{\"error\":{\"message\":\"a\",\"message\":\"b\"}}", "{\"error\":{\"message\":\"a\",\"message\":1}}",
      "{\"error\":{\"code\":1,\"message\":\"a\"},\"error\":{\"code\":2}}",
      "{\"error\":{\"code\":1,\"message\":\"a\"},\"error\":{}}",
      "{\"error\":{\"code\":1,\"message\":\"a\"},\"error\":null}",
      "{\"error\":{\"code\":1},\"error\":{\"message\":\"b\"}}",
      "{\"result\":1,\"result\":2}", "{\"result\":1,\"error\":{\"code\":5}}", "{\"error\":{\"code\":5},\"result\":1}",
      "{\"error\":\"text\"}", "{\"error\":null}", "{\"error\":[]}", "{\"error\":[{\"code\":1}]}", "{\"error\":1}",
      "{\"error\":[],\"result\":1}", "{\"error\":{}}", "{\"error\":{},\"result\":null}", "{\"error\" : { } }",
      "{\"error\":\"text\",\"result\":[]}",
      "{\"res\\u0075lt\":1}", "{\"\\u0072esult\":1}", "{\"result\\u0000\":1}", "{\"resul\":1}", "{\"results\":1}",
      "{\"Result\":1}", "{\"err\\u006fr\":{\"c\\u006fde\":5,\"m\\u0065ssage\":\"x\"}}",
      "{\"error\":{\"\\u0063ode\":7,\"messag\\u0065\":\"y\"}}", "{\"\\\"result\":1}", "{\"re\\/sult\":1}",
      "{\"result\u00e9\":1}", "{\"r\\u00e9sult\":1,\"result\":2}",
      "{\"\\ud83d\\ude00\":1,\"result\":1}", "{\"\\udbff\\udfff\\ud800\\udc00\":1,\"result\":1}",
      "{\"\\ud800\":1,\"result\":1}", "{\"\\udfff\":1,\"result\":1}", "{\"\\ud83dx\":1,\"result\":1}",
      "{\"\\ude00\\ud83d\":1,\"result\":1}", "{\"\\ud83d\\n\":1,\"result\":1}", "{\"\\ud83d\\u0041\":1,\"result\":1}",
      "{\"\\ud83d\\ud83d\\ude00\":1,\"result\":1}", "{\"\\ud83d\\",
      "{\"error\":{\"m\\ud83d\\ude00\":1,\"message\":\"\\ud83d\\ude00 \\ude00\\ud83d\"}}",
      "{\"result\":true}", "{\"result\":false}", "{\"result\":null}", "{\"result\":tru}", "{\"result\":nul}",
      "{\"result\":truex}", "{\"result\":true1}", "{\"result\":nulll}", "{\"result\":True}", "{\"result\":NaN}",
      "{\"result\":Infinity}", "{\"result\":-Infinity}", "{\"result\":+Infinity}", "{\"result\":undefined}",
      "{\"result\":1.5e10}", "{\"result\":-0.0}", "{\"result\":1E+2}", "{\"result\":1e-2}", "{\"result\":1e}",
      "{\"result\":1e+}", "{\"result\":1.}", "{\"result\":.5}", "{\"result\":-}", "{\"result\":-a}",
      "{\"result\":01}", "{\"result\":-01}", "{\"result\":00}", "{\"result\":0x10}", "{\"result\":+1}",
      "{\"result\":1.5.2}", "{\"result\":1e5e5}", "{\"result\":0.0e0}", "{\"result\":-0e-0}", "{\"result\":1 2}",
      "{\"result\":\"a\tb\"}", "{\"result\":\"a\nb\"}", "{\"result\":\"a\u007fb\"}", "{\"result\":\"a\u0000b\"}",
      "{\"result\":\"\\u0000\"}",
      "{\"result\":[1}", "{\"result\":{]}", "{\"result\":[}]", "{\"result\":1]", "{\"result\":[1,]}",
      "{\"result\":[,1]}", "{\"result\":{,}}", "{\"result\":{\"a\":1,}}", "{\"result\":1,}", "{,\"result\":1}",
      "{\"result\":[[]]]}", "{\"result\":{\"a\"}}", "{\"result\":{\"a\":}}", "{\"result\":{1:2}}",
      "{\"result\":[1 2]}", "{\"result\":[1;2]}", "{\"result\":{\"a\"::1}}",
      "[{\"result\":1}]", "\"{\\\"result\\\":1}\"", "<html>502 Bad Gateway</html>",
      "{\"result\":1/*c*/}", "{/*c*/\"result\":1}", "{\"result\":1 # c\n}", "{'result':1}", "{result:1}",
      "{\"result\":'x'}",
      "{\"result\":1}{\"result\":2}", "{\"result\":1},", "{\"result\":1}]", "{\"result\":1}}", "{\"result\":1} x",
  };

  /** Bodies whose bytes are the ISO-8859-1 code of these characters: broken and borderline UTF-8. */
  private static final String[] RAW_EDGE_CASES = {
      "{\"result\":\"\u0080\"}", "{\"result\":\"\u00c3\"}", "{\"result\":\"\u00c3\u00a9\"}", "{\"result\":\"\u00c3(\"}",
      "{\"result\":\"\u00e2\u0082\"}", "{\"result\":\"\u00e2\u0082\u00ac\"}", "{\"result\":\"\u00f0\u009f\u0098\u0080\"}",
      "{\"result\":\"\u00f0\u009f\u0098\"}", "{\"result\":\"\u00f8\u0088\u0080\u0080\u0080\"}", "{\"result\":\"\u00ff\"}",
      "{\"result\":\"\u00fe\"}", "{\"result\":\"\u00c0\u0080\"}", "{\"result\":\"\u00ed\u00a0\u0080\"}",
      "{\"result\":\"\u00f4\u0090\u0080\u0080\"}", "{\"result\":\"\u00f7\u00bf\u00bf\u00bf\"}",
      "{\"error\":{\"message\":\"\u00c0\u0080 overlong\"}}", "{\"error\":{\"message\":\"\u00ed\u00a0\u0080 surrogate\"}}",
      "{\"error\":{\"message\":\"\u00f0\u0080\u0080\u0080 overlong four\"}}",
      "{\"error\":{\"message\":\"\u00f4\u0090\u0080\u0080 past U+10FFFF\"}}",
      "{\"error\":{\"message\":\"\u00f7\u00bf\u00bf\u00bf far past\"}}",
      "{\"error\":{\"message\":\"\u00c3\"}}", "{\"error\":{\"message\":\"\u0080\"}}",
      "{\"r\u00c3sult\":1,\"result\":1}", "{\"\u00c3\u00a9\":1,\"result\":1}", "{\"\u00c3\":1,\"result\":1}",
      "{\"\u0080\":1,\"result\":1}", "{\"\u00f0\u009f\u0098\u0080\":1,\"result\":1}", "{\"\u00ed\u00a0\u0080\":1,\"result\":1}",
      "{\"\u00c0\u0080\":1,\"result\":1}", "{\"a\u0001\":1,\"result\":1}", "{\"a\u007f\":1,\"result\":1}",
      "{\"result\":1\u0080}", "{\"result\":1}\u0080", "\u00ef\u00bb\u00bf{\"result\":1}", "\u00ef\u00bb\u00bf",
      "\u00ef\u00bb{\"result\":1}", "\u00ef\u00bb\u00bf \u00ef\u00bb\u00bf{\"result\":1}",
  };

  /** Seeded random replies: results of any shape, errors with codes and messages of every kind. */
  private static final class RandomReplies {
    private static final String[] PHRASES = {"rate limit", "header not found", "execution reverted", "Too Many Requests",
        "query returned more than 10000 results", "missing trie node", ""};
    private static final String[] ESCAPES = {"\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t", "\\u0041",
        "\\u00e9", "\\u20AC", "\\ud83d\\ude00", "\\ud800", "\\u0000", "\\u001f"};
    private static final String[] RAW = {"\u00e9", "\u20ac", "\ud83d\ude00", "\u4e2d", "\u007f", "\u0080"};

    private final Random random;

    RandomReplies(long seed) {
      random = new Random(seed);
    }

    String reply() {
      List<String> members = new ArrayList<>();
      members.add("\"jsonrpc\"" + colon() + "\"2.0\"");
      members.add("\"id\"" + colon() + (random.nextBoolean() ? String.valueOf(random.nextInt(1000)) : string()));
      int shape = random.nextInt(20);
      if (shape < 9) {
        members.add("\"result\"" + colon() + value(0));
      } else if (shape < 18) {
        members.add("\"error\"" + colon() + error());
      } else if (shape == 18) {
        members.add("\"result\"" + colon() + value(0));
        members.add("\"error\"" + colon() + (random.nextBoolean() ? error() : value(3)));
      } else {
        members.add("\"" + (random.nextBoolean() ? "data" : "error") + "\"" + colon() + value(3));
      }
      Collections.shuffle(members, random);
      return ws() + "{" + ws() + String.join(ws() + "," + ws(), members) + ws() + "}" + ws();
    }

    private String error() {
      List<String> members = new ArrayList<>();
      int code = random.nextInt(10);
      if (code < 6) {
        members.add("\"code\"" + colon() + (random.nextBoolean() ? -32000 - random.nextInt(700) : random.nextInt(100)));
      } else if (code == 6) {
        members.add("\"code\"" + colon() + number());
      } else if (code == 7) {
        members.add("\"code\"" + colon() + value(4));
      }
      int message = random.nextInt(10);
      if (message < 7) {
        members.add("\"message\"" + colon() + "\"" + PHRASES[random.nextInt(PHRASES.length)] + text() + "\"");
      } else if (message == 7) {
        members.add("\"message\"" + colon() + value(4));
      }
      if (random.nextInt(3) == 0) {
        members.add("\"data\"" + colon() + value(2));
      }
      if (random.nextInt(8) == 0) {
        members.add(random.nextBoolean() && !members.isEmpty() ? members.get(0) : "\"code\"" + colon() + random.nextInt(50));
      }
      Collections.shuffle(members, random);
      return "{" + ws() + String.join(ws() + "," + ws(), members) + ws() + "}";
    }

    private String value(int depth) {
      int kind = random.nextInt(depth >= 5 ? 3 : 6);
      switch (kind) {
        case 0:
          return string();
        case 1:
          return number();
        case 2:
          return new String[] {"true", "false", "null"}[random.nextInt(3)];
        case 3:
        case 4: {
          int n = random.nextInt(5);
          List<String> members = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            String name = random.nextInt(6) == 0
                ? new String[] {"\"result\"", "\"error\"", "\"code\"", "\"message\""}[random.nextInt(4)] : string();
            members.add(name + colon() + value(depth + 1));
          }
          return "{" + ws() + String.join(ws() + "," + ws(), members) + ws() + "}";
        }
        default: {
          int n = random.nextInt(6);
          List<String> elements = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            elements.add(value(depth + 1));
          }
          return "[" + ws() + String.join(ws() + "," + ws(), elements) + ws() + "]";
        }
      }
    }

    private String string() {
      return "\"" + text() + "\"";
    }

    private String text() {
      StringBuilder s = new StringBuilder();
      for (int n = random.nextInt(6); n > 0; n--) {
        int kind = random.nextInt(6);
        if (kind == 0) {
          s.append(ESCAPES[random.nextInt(ESCAPES.length)]);
        } else if (kind == 1) {
          s.append(RAW[random.nextInt(RAW.length)]);
        } else if (kind == 2) {
          s.append("0x").append(Long.toHexString(random.nextLong()));
        } else {
          for (int k = random.nextInt(8); k > 0; k--) {
            char c = (char) (' ' + random.nextInt(95));
            s.append(c == '"' || c == '\\' ? 'q' : c);
          }
        }
      }
      return s.toString();
    }

    private String number() {
      switch (random.nextInt(9)) {
        case 0:
          return "0";
        case 1:
          return "-0";
        case 2:
          return String.valueOf(random.nextInt());
        case 3:
          return String.valueOf(random.nextLong());
        case 4:
          return (random.nextBoolean() ? "-" : "") + "1" + "0".repeat(10 + random.nextInt(30));
        case 5:
          return random.nextInt(1000) + "." + random.nextInt(1000);
        case 6:
          return "-" + random.nextInt(10) + "." + random.nextInt(100) + "e" + (random.nextBoolean() ? "-" : "+")
              + random.nextInt(30);
        case 7:
          return random.nextInt(100) + "E" + random.nextInt(300);
        default:
          return String.valueOf(random.nextInt(2_000_000_000) + 1_000_000_000L);
      }
    }

    private String colon() {
      return ws() + ":" + ws();
    }

    private String ws() {
      if (random.nextInt(4) != 0) {
        return "";
      }
      StringBuilder s = new StringBuilder();
      for (int n = 1 + random.nextInt(2); n > 0; n--) {
        s.append(" \t\n\r".charAt(random.nextInt(4)));
      }
      return s.toString();
    }
  }
}
