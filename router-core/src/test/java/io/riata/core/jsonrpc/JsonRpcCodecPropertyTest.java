package io.riata.core.jsonrpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The request codec on generated input, in process and fast (the same kinds of hostile bodies go
 * through a live node in router-http's FuzzIT): parsing never throws, a body that is not JSON is a
 * parse error, and every request it accepts can be answered with its id.
 */
class JsonRpcCodecPropertyTest {

  private static final ObjectMapper STRICT = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  @Property(tries = 20_000, seed = "20261202")
  void parsingAnyBytesNeverThrowsAndNonJsonIsAParseError(@ForAll("bodies") byte[] body) throws Exception {
    Parsed parsed = JsonRpcCodec.parse(body);
    assertNotNull(parsed);
    if (!isJson(body)) {
      assertInstanceOf(Parsed.ParseError.class, parsed, new String(body, StandardCharsets.UTF_8));
    }
    if (parsed instanceof Parsed.Single single && single.item() instanceof Parsed.Request request) {
      byte[] answer = JsonRpcCodec.resultResponse(request.request().idJson() == null ? "null"
          : request.request().idJson(), "\"0x1\"");
      assertEquals("2.0", JSON.readTree(answer).path("jsonrpc").asText(), "the id must embed as JSON");
    }
  }

  private static boolean isJson(byte[] body) {
    try {
      STRICT.readTree(body);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  @Provide
  Arbitrary<byte[]> bodies() {
    String valid = "[{\"jsonrpc\":\"2.0\",\"id\":\"a\\\"b\",\"method\":\"eth_getBalance\",\"params\":[\"0x1\",\"latest\"]},"
        + "{\"jsonrpc\":\"2.0\",\"id\":12345678901234567890,\"method\":\"eth_chainId\"}]";
    byte[] whole = valid.getBytes(StandardCharsets.UTF_8);
    Arbitrary<byte[]> mutated = Arbitraries.integers().between(0, whole.length - 1)
        .flatMap(at -> Arbitraries.bytes().map(b -> {
          byte[] copy = whole.clone();
          copy[at] = b;
          return copy;
        }));
    Arbitrary<byte[]> cut = Arbitraries.integers().between(0, whole.length - 1)
        .map(n -> java.util.Arrays.copyOf(whole, n));
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
    Arbitrary<byte[]> nested = Arbitraries.integers().between(1, 3000)
        .map(d -> ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"params\":" + "[".repeat(d) + "]".repeat(d) + "}")
            .getBytes(StandardCharsets.UTF_8));
    return Arbitraries.oneOf(mutated, cut, random, nested);
  }
}
