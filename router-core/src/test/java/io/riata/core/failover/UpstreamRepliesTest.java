package io.riata.core.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.riata.core.jsonrpc.ReplyInspector;
import io.riata.core.jsonrpc.UpstreamReply;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replies as clients and hosted providers really send them ({@code failover/upstream-replies.json}),
 * each read by {@link ReplyInspector} and judged by {@link ErrorClassifier}, as on the request path.
 */
class UpstreamRepliesTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  static Stream<Arguments> replies() throws IOException {
    try (InputStream in = UpstreamRepliesTest.class.getResourceAsStream("/failover/upstream-replies.json")) {
      List<Arguments> cases = new ArrayList<>();
      for (JsonNode c : MAPPER.readTree(in)) {
        String body = c.has("body") ? MAPPER.writeValueAsString(c.get("body")) : c.get("text").asText();
        String name = c.get("source").asText() + " " + c.get("status").asInt() + " "
            + (body.length() > 70 ? body.substring(0, 70) : body);
        cases.add(Arguments.of(name, c.get("status").asInt(), c.path("retryAfter").asText(null), body,
            OutcomeKind.valueOf(c.get("expect").asText())));
      }
      return cases.stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("replies")
  void classifiesRealReplies(String name, int status, String retryAfter, String body, OutcomeKind expected) {
    UpstreamReply reply = ReplyInspector.inspect(body.getBytes(StandardCharsets.UTF_8));
    Classification verdict = ErrorClassifier.classifyReply("eth_getLogs", status, retryAfter, reply.wellFormed(),
        reply.hasResult(), reply.errorCode(), reply.errorMessage());
    assertEquals(expected, verdict.kind(), name + " -> " + verdict);
  }
}
