package io.riata.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.riata.core.failover.MethodDeadlines;
import io.riata.core.selection.Strategies;
import io.riata.core.selection.StrategyName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Malformed input answered before any provider, batches answered in order, every slice given back. */
class DispatcherTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ManualClock clock = new ManualClock();
  private final ScriptedTransport transport = new ScriptedTransport(clock);
  private final Dispatcher dispatcher = new Dispatcher(new RequestEngine(
      new MethodDeadlines(Map.of(), Duration.ofSeconds(2)), 3, new ConcurrencyLimiter(ConcurrencyLimiter.Settings.fixed(8)), RetryBudget.Settings.UNLIMITED,
      HedgePolicy.NONE,
      NodeAdmission.UNBOUNDED, List.of(Shortcut.CHAIN_ID), PathTimer.NONE, clock), 4, 2);

  /** Slices are the text of the request object; the test checks each is released once. */
  private final List<String> sliced = new ArrayList<>();
  private final List<String> released = new ArrayList<>();
  private byte[] body;
  private int slicedBeforeReturn;

  private final Payloads<String> payloads = new Payloads<>() {
    @Override
    public String slice(int offset, int length) {
      String s = new String(body, offset, length, StandardCharsets.UTF_8);
      sliced.add(s);
      return s;
    }

    @Override
    public void release(String payload) {
      released.add(payload);
    }
  };

  private List<Answer<ScriptedTransport.Body>> dispatch(String text) {
    // The body sits at the start of a longer, reused buffer, as the listener hands it over.
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    body = new byte[bytes.length + 16];
    System.arraycopy(bytes, 0, body, 0, bytes.length);
    List<Answer<ScriptedTransport.Body>> answers = new ArrayList<>();
    dispatcher.dispatch(TestChain.of("a", "b"), Strategies.create(StrategyName.PRIORITY), null, body, bytes.length,
        payloads, transport, answers::add);
    slicedBeforeReturn = sliced.size();
    transport.runUntilIdle();
    return answers;
  }

  private static JsonNode ownError(Answer<?> answer) throws IOException {
    assertTrue(answer.single());
    assertEquals(1, answer.parts().size());
    return JSON.readTree(answer.parts().get(0).own()).path("error");
  }

  @Test
  void malformedJsonIsAParseError() throws IOException {
    List<Answer<ScriptedTransport.Body>> answers = dispatch("{\"jsonrpc\":");
    assertEquals(1, answers.size());
    assertEquals(-32700, ownError(answers.get(0)).path("code").asInt());
    assertEquals(List.of(), transport.sent);
  }

  @Test
  void anEmptyBatchIsOneInvalidRequestError() throws IOException {
    assertEquals(-32600, ownError(dispatch("[]").get(0)).path("code").asInt());
  }

  @Test
  void aBatchOverTheLimitIsRefusedWhole() throws IOException {
    JsonNode error = ownError(dispatch("[1,2,3,4,5]").get(0));
    assertEquals(-32600, error.path("code").asInt());
    assertEquals("batch of 5 requests exceeds the limit of 4", error.path("message").asText());
    assertEquals(List.of(), transport.sent);
  }

  @Test
  void anInvalidRequestKeepsItsId() throws IOException {
    JsonNode answer = JSON.readTree(dispatch("{\"jsonrpc\":\"1.0\",\"id\":\"q\",\"method\":\"m\"}").get(0).parts().get(0).own());
    assertEquals("q", answer.path("id").asText());
    assertEquals(-32600, answer.path("error").path("code").asInt());
  }

  @Test
  void aSingleRequestIsForwardedAsItsOwnBytes() {
    String request = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"eth_getBalance\",\"params\":[\"0x1\",\"latest\"]}";
    transport.script("a=ok");
    Answer<ScriptedTransport.Body> answer = dispatch("  " + request + "\n").get(0);
    assertTrue(answer.single());
    assertEquals("a", answer.parts().get(0).providerId());
    assertEquals(List.of(request), sliced);
    assertEquals(request, transport.sent.get(0).payload());
    assertEquals(sliced, released);
  }

  @Test
  void aBatchIsAnsweredInOrderWithInvalidElementsInPlace() throws IOException {
    transport.script("a=ok:30 a=503 b=ok");
    List<Answer<ScriptedTransport.Body>> answers = dispatch("["
        + "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\"},"
        + "{\"jsonrpc\":\"2.0\",\"id\":2},"
        + "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"eth_chainId\"},"
        + "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"eth_getBalance\",\"params\":[\"0x1\",\"latest\"]}]");
    assertEquals(1, answers.size());
    Answer<ScriptedTransport.Body> answer = answers.get(0);
    assertEquals(false, answer.single());
    assertEquals(4, answer.parts().size());
    assertEquals("a", answer.parts().get(0).providerId());
    assertEquals(-32600, JSON.readTree(answer.parts().get(1).own()).path("error").path("code").asInt());
    assertEquals("0x5", JSON.readTree(answer.parts().get(2).own()).path("result").asText());
    assertEquals("b", answer.parts().get(3).providerId());
    assertEquals(3, answer.routed().size(), "the three valid requests are routed (one by Riata itself)");
    assertEquals(sliced.size(), released.size());
  }

  @Test
  void notificationsAloneAreAnsweredAtOnceWithNothing() {
    transport.script("a=empty a=empty");
    List<Answer<ScriptedTransport.Body>> answers = new ArrayList<>();
    byte[] bytes = ("[{\"jsonrpc\":\"2.0\",\"method\":\"eth_getBalance\"},"
        + "{\"jsonrpc\":\"2.0\",\"method\":\"eth_getBalance\"}]").getBytes(StandardCharsets.UTF_8);
    body = bytes;
    dispatcher.dispatch(TestChain.of("a"), Strategies.create(StrategyName.PRIORITY), null, bytes, bytes.length, payloads,
        transport, answers::add);
    assertEquals(1, answers.size(), "answered before the providers did");
    assertTrue(answers.get(0).empty());
    transport.runUntilIdle();
    assertEquals(2, transport.sent.size(), "still forwarded");
    assertEquals(2, released.size(), "and their slices released once they ended");
    assertEquals(List.of(), transport.leaked(null));
  }

  @Test
  void aBatchHasAtMostItsConcurrencyInFlightAndTheNextStartsAsOneEnds() throws IOException {
    transport.script("a=ok:100 a=ok:50 a=ok:100 a=ok:100");
    StringBuilder batch = new StringBuilder("[");
    for (int id = 1; id <= 4; id++) {
      batch.append(id > 1 ? "," : "").append("{\"jsonrpc\":\"2.0\",\"id\":").append(id)
          .append(",\"method\":\"eth_getBalance\",\"params\":[\"0x").append(id).append("\",\"latest\"]}");
    }
    List<Answer<ScriptedTransport.Body>> answers = dispatch(batch.append(']').toString());
    assertEquals(4, slicedBeforeReturn, "every element's bytes are cut before dispatch returns: the buffer is lent");
    long start = transport.sent.get(0).atNanos();
    List<Long> sentAtMs = transport.sent.stream().map(sent -> (sent.atNanos() - start) / 1_000_000).toList();
    assertEquals(List.of(0L, 0L, 50L, 100L), sentAtMs, "two at once; each of the others as a place came free");
    assertEquals(1, answers.size());
    assertEquals(4, answers.get(0).parts().size());
    List<Integer> ids = new ArrayList<>();
    for (ScriptedTransport.Sent sent : transport.sent) {
      ids.add(JSON.readTree(sent.payload()).path("id").asInt());
    }
    assertEquals(List.of(1, 2, 3, 4), ids, "started in the batch's order");
    assertEquals(2, dispatcher.deferredBatchElements());
    assertEquals(sliced.size(), released.size());
  }
}
