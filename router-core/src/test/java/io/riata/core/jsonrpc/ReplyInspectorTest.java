package io.riata.core.jsonrpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ReplyInspectorTest {

  private static UpstreamReply inspect(String body) {
    return ReplyInspector.inspect(body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aResultIsWellFormedAndHasAResult() {
    UpstreamReply r = inspect("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"deep\":[1,{\"error\":2}]}}");
    assertTrue(r.wellFormed());
    assertTrue(r.hasResult());
    assertNull(r.errorCode());
  }

  @Test
  void readsTheErrorCodeAndMessage() {
    UpstreamReply r = inspect("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"data\":{\"x\":1},\"code\":-32005,\"message\":\"slow down\"}}");
    assertTrue(r.wellFormed());
    assertFalse(r.hasResult());
    assertEquals(-32005, r.errorCode());
    assertEquals("slow down", r.errorMessage());
  }

  @Test
  void aNullResultStillCounts() {
    assertTrue(inspect("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":null}").hasResult());
  }

  @Test
  void anythingElseIsMalformed() {
    assertFalse(inspect("").wellFormed());
    assertFalse(inspect("<html>502 Bad Gateway</html>").wellFormed());
    assertFalse(inspect("{\"jsonrpc\":\"2.0\",\"id\":1}").wellFormed());
    assertFalse(inspect("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":").wellFormed());
    assertFalse(inspect("[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":1}]").wellFormed());
  }
}
