package io.riata.core.jsonrpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonRpcCodecTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static Parsed parse(String body) {
    return JsonRpcCodec.parse(body.getBytes(StandardCharsets.UTF_8));
  }

  private static JsonRpcRequest single(String body) {
    Parsed p = parse(body);
    Parsed.Single s = assertInstanceOf(Parsed.Single.class, p);
    return assertInstanceOf(Parsed.Request.class, s.item()).request();
  }

  @Test
  void keepsTheExactBytesIdMethodAndParamsOfARequest() {
    String body = "  {\"jsonrpc\":\"2.0\", \"method\":\"eth_getBalance\",\"params\":[\"0xabc\", \"latest\"],\"id\":\"x-1\"}  ";
    JsonRpcRequest r = single(body);
    assertEquals("eth_getBalance", r.method());
    assertEquals("\"x-1\"", r.idJson());
    assertEquals("[\"0xabc\", \"latest\"]", new String(r.params(), StandardCharsets.UTF_8));
    assertEquals(body.trim(), new String(r.bytesIn(body.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8));
  }

  @Test
  void parsesTheStartOfALongerBufferAndPointsIntoIt() {
    String batch = "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\"}, {\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"b\"}]";
    byte[] buffer = new byte[256];
    byte[] bytes = batch.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(bytes, 0, buffer, 0, bytes.length);
    java.util.Arrays.fill(buffer, bytes.length, buffer.length, (byte) 'x'); // what an earlier, longer body left
    Parsed.Batch parsed = assertInstanceOf(Parsed.Batch.class, JsonRpcCodec.parse(buffer, bytes.length));
    JsonRpcRequest second = assertInstanceOf(Parsed.Request.class, parsed.items().get(1)).request();
    assertEquals("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"b\"}",
        new String(buffer, second.offset(), second.length(), StandardCharsets.UTF_8));
  }

  @Test
  void readsNumericAndNullIdsAndNotifications() {
    assertEquals("7", single("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"m\"}").idJson());
    assertEquals("null", single("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"m\"}").idJson());
    JsonRpcRequest note = single("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":{\"a\":1}}");
    assertTrue(note.isNotification());
    assertEquals("{\"a\":1}", new String(note.params(), StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "{", "{\"jsonrpc\":\"2.0\",", "[1,2", "nope", "{\"a\":1} {\"b\":2}", "[{\"jsonrpc\":\"2.0\"},"})
  void malformedJsonIsAParseError(String body) {
    assertInstanceOf(Parsed.ParseError.class, parse(body));
  }

  @Test
  void emptyArrayIsAnEmptyBatch() {
    assertInstanceOf(Parsed.EmptyBatch.class, parse(" [ ] "));
  }

  @Test
  void invalidObjectsKeepTheirIdWhenItIsReadable() {
    var wrongVersion = (Parsed.Invalid) ((Parsed.Single) parse("{\"jsonrpc\":\"1.0\",\"id\":3,\"method\":\"m\"}")).item();
    assertEquals("3", wrongVersion.idJson());
    var noMethod = (Parsed.Invalid) ((Parsed.Single) parse("{\"jsonrpc\":\"2.0\",\"id\":\"a\"}")).item();
    assertEquals("\"a\"", noMethod.idJson());
    var badId = (Parsed.Invalid) ((Parsed.Single) parse("{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"m\"}")).item();
    assertEquals("null", badId.idJson());
    var badParams = (Parsed.Invalid) ((Parsed.Single) parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"params\":5}")).item();
    assertTrue(badParams.message().contains("params"));
    var scalar = ((Parsed.Single) parse("42")).item();
    assertInstanceOf(Parsed.Invalid.class, scalar);
  }

  @Test
  void judgesEachBatchElementOnItsOwn() {
    Parsed.Batch batch = assertInstanceOf(Parsed.Batch.class,
        parse("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\"}, 1, {\"jsonrpc\":\"2.0\",\"method\":\"b\"}, {\"id\":2}]"));
    List<Parsed.Item> items = batch.items();
    assertEquals(4, items.size());
    assertEquals("a", ((Parsed.Request) items.get(0)).request().method());
    assertInstanceOf(Parsed.Invalid.class, items.get(1));
    assertTrue(((Parsed.Request) items.get(2)).request().isNotification());
    assertEquals("2", ((Parsed.Invalid) items.get(3)).idJson());
  }

  @Test
  void writesValidResponses() throws Exception {
    JsonNode error = MAPPER.readTree(JsonRpcCodec.errorResponse("\"q\"", -32600, "bad \"thing\"\n", "{\"k\":[1]}"));
    assertEquals("2.0", error.get("jsonrpc").asText());
    assertEquals("q", error.get("id").asText());
    assertEquals(-32600, error.get("error").get("code").asInt());
    assertEquals("bad \"thing\"\n", error.get("error").get("message").asText());
    assertEquals(1, error.get("error").get("data").get("k").get(0).asInt());
    JsonNode noData = MAPPER.readTree(JsonRpcCodec.errorResponse(null, -1, "x", null));
    assertTrue(noData.get("id").isNull());
    assertNull(noData.get("error").get("data"));
    JsonNode result = MAPPER.readTree(JsonRpcCodec.resultResponse("5", "\"0x1\""));
    assertEquals("0x1", result.get("result").asText());
    assertArrayEquals("[{},[]]".getBytes(StandardCharsets.UTF_8),
        JsonRpcCodec.batchResponse(List.of("{}".getBytes(StandardCharsets.UTF_8), "[]".getBytes(StandardCharsets.UTF_8))));
    assertEquals("\"a\\u0001b\"", JsonRpcCodec.quote("a\u0001b"));
  }
}
