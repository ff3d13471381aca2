package io.riata.core.jsonrpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
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

  @Test
  void decodesEscapesInTheMessageSoPhrasesMatch() {
    UpstreamReply r = inspect("{\"error\":{\"code\":-32000,\"message\":\"Rate\\u0020limit \\\"exceeded\\\" \\u00e9\\n\"}}");
    assertEquals("Rate limit \"exceeded\" \u00e9\n", r.errorMessage());
  }

  @Test
  void anErrorThatIsNotAnObjectIsNoError() {
    assertFalse(inspect("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":\"slow down\"}").wellFormed());
    assertFalse(inspect("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":null}").wellFormed());
    assertTrue(inspect("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":null,\"result\":\"0x1\"}").hasResult());
  }

  @Test
  void anErrorBesideAResultWins() {
    UpstreamReply r = inspect("{\"result\":\"0x1\",\"error\":{\"code\":3,\"message\":\"execution reverted\"}}");
    assertTrue(r.wellFormed());
    assertFalse(r.hasResult());
    assertEquals(3, r.errorCode());
  }

  @Test
  void aCodeThatIsNotAnIntIsNoCodeUnlessItOverflows() {
    assertNull(inspect("{\"error\":{\"code\":-32000.0,\"message\":\"m\"}}").errorCode());
    assertNull(inspect("{\"error\":{\"code\":\"-32000\",\"message\":\"m\"}}").errorCode());
    // As with Jackson's getIntValue(), which threw: the whole reply is unreadable.
    assertFalse(inspect("{\"error\":{\"code\":2147483648,\"message\":\"m\"}}").wellFormed());
  }

  @Test
  void anythingButWhitespaceAfterTheReplyIsMalformed() {
    assertTrue(inspect("{\"result\":1} \r\n\t").wellFormed());
    assertFalse(inspect("{\"result\":1}{\"result\":2}").wellFormed());
    assertFalse(inspect("{\"result\":1}<!-- cached -->").wellFormed());
  }

  @Test
  void nestingPastAThousandLevelsIsMalformedAndDoesNotOverflowTheStack() {
    assertTrue(inspect("{\"result\":" + "[".repeat(999) + "]".repeat(999) + "}").wellFormed());
    assertFalse(inspect("{\"result\":" + "[".repeat(1000) + "]".repeat(1000) + "}").wellFormed());
    assertFalse(inspect("{\"result\":" + "[".repeat(1_000_000)).wellFormed());
  }

  @Test
  void readsOnlyTheGivenRangeOfABuffer() {
    byte[] buffer = "xx{\"result\":1}}}".getBytes(StandardCharsets.UTF_8);
    assertTrue(ReplyInspector.inspect(buffer, 2, 12).hasResult());
    assertFalse(ReplyInspector.inspect(buffer, 2, 11).wellFormed());
    assertFalse(ReplyInspector.inspect(buffer, 2, 13).wellFormed());
  }

  /** Every attempt's reply is inspected on the event loop; a result must cost no garbage at all. */
  @Test
  void inspectingAResultAllocatesNothing() {
    byte[] reply = ("{\"jsonrpc\":\"2.0\",\"id\":42,\"result\":{\"number\":\"0x12a05f2\",\"hash\":\"0x"
        + "ab".repeat(32) + "\",\"gasUsed\":\"0x1c9c380\",\"transactions\":[" + ("\"0x" + "cd".repeat(32) + "\",").repeat(20)
        + "\"0x00\"],\"withdrawals\":[{\"index\":\"0x1\",\"amount\":\"0x2\"}],\"uncles\":[],\"size\":12345,"
        + "\"baseFee\":1.5e9,\"final\":true,\"blobs\":null}}").getBytes(StandardCharsets.UTF_8);
    double perCall = bytesPerCall(reply);
    assertTrue(perCall < 1, "bytes allocated per inspection of a result reply: " + perCall);
  }

  /** An error costs its record, the code's Integer and the message's String, nothing more. */
  @Test
  void inspectingAnErrorAllocatesOnlyWhatItReturns() {
    byte[] reply = "{\"jsonrpc\":\"2.0\",\"id\":42,\"error\":{\"code\":-32005,\"message\":\"rate limit exceeded\"}}"
        .getBytes(StandardCharsets.UTF_8);
    double perCall = bytesPerCall(reply);
    assertTrue(perCall < 160, "bytes allocated per inspection of an error reply: " + perCall);
  }

  private static double bytesPerCall(byte[] reply) {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assertTrue(threads.isThreadAllocatedMemorySupported(), "this JVM cannot count a thread's allocations");
    threads.setThreadAllocatedMemoryEnabled(true);
    long thread = Thread.currentThread().getId();
    int calls = 100_000;
    int wellFormed = 0;
    for (int i = 0; i < calls; i++) {
      wellFormed += ReplyInspector.inspect(reply, 0, reply.length).wellFormed() ? 1 : 0;
    }
    long before = threads.getThreadAllocatedBytes(thread);
    for (int i = 0; i < calls; i++) {
      wellFormed += ReplyInspector.inspect(reply, 0, reply.length).wellFormed() ? 1 : 0;
    }
    long allocated = threads.getThreadAllocatedBytes(thread) - before;
    assertEquals(2 * calls, wellFormed);
    return (double) allocated / calls;
  }

  private static long quantity(String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return ReplyInspector.resultQuantity(bytes, 0, bytes.length);
  }

  @Test
  void readsAResultThatIsAQuantity() {
    assertEquals(0x1b4, quantity("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1b4\"}"));
    assertEquals(0xABCDEF, quantity(" {\"id\":{\"nested\":[1,\"result\"]}, \"result\" : \"0xAbCdEf\" ,\"jsonrpc\":\"2.0\"}"));
    assertEquals(0xfffffffffffffffL, quantity("{\"result\":\"0xfffffffffffffff\"}"));
  }

  @Test
  void anythingElseIsNotAQuantity() {
    assertEquals(-1, quantity("{\"result\":\"0x\"}"));
    assertEquals(-1, quantity("{\"result\":\"0x1000000000000000\"}"), "16 digits could be negative");
    assertEquals(-1, quantity("{\"result\":\"0x12g\"}"));
    assertEquals(-1, quantity("{\"result\":\"12\"}"));
    assertEquals(-1, quantity("{\"result\":12}"));
    assertEquals(-1, quantity("{\"id\":1,\"result\": null}"));
    assertEquals(-1, quantity("{\"result\":\"0x12"));
    assertEquals(-1, quantity("{\"error\":{\"code\":-32000,\"message\":\"0x12\"}}"));
    assertEquals(-1, quantity("[{\"result\":\"0x1\"}]"));
    assertEquals(-1, quantity(""));
  }

  @Test
  void tellsANullResultFromAnyOther() {
    assertTrue(inspect("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\": null}").nullResult());
    assertFalse(inspect("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"null\"}").nullResult());
    assertFalse(inspect("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[null]}").nullResult());
    assertFalse(inspect("{\"result\":null,\"error\":{\"code\":1,\"message\":\"x\"}}").nullResult(),
        "an error reply has no result");
    assertFalse(inspect("{\"result\":nul}").wellFormed());
  }

  /** Starts of replies, cut anywhere: only those that already show a non-null result say yes. */
  @Test
  void aReplysStartShowsAResultOnlyWhenTheResultHasBegun() {
    String[] yes = {
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[{\"blockHash\":\"0x",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0xabc",
        " {\n \"id\" : \"a,b\" , \"result\" : {",
        "{\"id\":{\"nested\":[1,2,{\"result\":null}]},\"result\":12",
        "{\"result\":true",
        "\uFEFF{\"result\":-1"};
    String[] no = {
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":null}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":nul",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32000,\"message\":\"",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"resul",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":",
        "{\"jsonrpc\":\"2.0\",\"id\":\"unfinished",
        "[{\"result\":1}]",
        "{\"jsonrpc\":\"2.0\" \"result\":1",
        "{\"result\" 1",
        ""};
    for (String start : yes) {
      byte[] b = start.replace("\uFEFF", "\u00EF\u00BB\u00BF").getBytes(StandardCharsets.ISO_8859_1);
      assertTrue(ReplyInspector.resultBegins(b, 0, b.length), start);
    }
    for (String start : no) {
      byte[] b = start.getBytes(StandardCharsets.UTF_8);
      assertFalse(ReplyInspector.resultBegins(b, 0, b.length), start);
    }
    byte[] framed = "xx{\"result\":1}yy".getBytes(StandardCharsets.UTF_8);
    assertTrue(ReplyInspector.resultBegins(framed, 2, 11), "read from the offset");
    assertFalse(ReplyInspector.resultBegins(framed, 2, 10), "within the length only");
  }
}
