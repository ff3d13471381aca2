package io.riata.core.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.riata.core.engine.TransportFailure;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ErrorClassifierTest {

  private static Classification error(int status, Integer code, String message) {
    return ErrorClassifier.classifyReply("eth_call", status, null, true, false, code, message);
  }

  @Test
  void resultsSucceed() {
    assertEquals(OutcomeKind.SUCCESS, ErrorClassifier.classifyReply("eth_call", 200, null, true, true, null, null).kind());
  }

  @Test
  void http429IsRateLimitedWithItsRetryAfter() {
    Classification c = ErrorClassifier.classifyReply("eth_call", 429, "7", false, false, null, null);
    assertEquals(OutcomeKind.RATE_LIMITED, c.kind());
    assertEquals(Duration.ofSeconds(7), c.retryAfter());
  }

  @Test
  void rateLimitErrorsInTheBodyAreRateLimited() {
    assertEquals(OutcomeKind.RATE_LIMITED, error(200, -32005, "limit").kind());
    assertEquals(OutcomeKind.RATE_LIMITED, error(200, -32000, "Your app has exceeded its compute units per second capacity").kind());
    assertEquals(OutcomeKind.RATE_LIMITED, error(200, -32603, "Too Many Requests").kind());
  }

  @Test
  void errorsAboutTheRequestBelongToTheCaller() {
    assertEquals(OutcomeKind.CALLER_ERROR, error(200, 3, "execution reverted: nope").kind());
    assertEquals(OutcomeKind.CALLER_ERROR, error(200, -32000, "nonce too low").kind());
    assertEquals(OutcomeKind.CALLER_ERROR, error(200, -32602, "invalid argument 0: hex string without 0x prefix").kind());
    assertEquals(OutcomeKind.CALLER_ERROR, error(400, -32600, "invalid request").kind());
  }

  @Test
  void errorsAboutTheProviderMoveOn() {
    assertEquals(OutcomeKind.RETRIABLE, error(200, -32000, "header not found").kind());
    assertEquals(OutcomeKind.RETRIABLE, error(200, -32000, "missing trie node 0xabc (path ) state is not available").kind());
    assertEquals(OutcomeKind.RETRIABLE, error(200, -32603, "internal error").kind());
    assertEquals(OutcomeKind.RETRIABLE, error(200, -32000, "simulated upstream failure").kind());
    assertEquals(OutcomeKind.RETRIABLE, error(200, null, "odd").kind());
    assertEquals(OutcomeKind.RETRIABLE, ErrorClassifier.classifyReply("eth_call", 502, null, false, false, null, null).kind());
    assertEquals(OutcomeKind.RETRIABLE, ErrorClassifier.classifyReply("eth_call", 200, null, false, false, null, null).kind());
    assertEquals(OutcomeKind.RETRIABLE, ErrorClassifier.classifyReply("eth_call", 503, null, true, true, null, null).kind());
  }

  @Test
  void unknownMethodsAreUnsupportedNotUnhealthy() {
    Classification c = error(200, -32601, "the method debug_x does not exist/is not available");
    assertEquals(OutcomeKind.UNSUPPORTED, c.kind());
    assertTrue(c.kind().healthy());
    assertFalse(c.kind().settles());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "CONNECT_REFUSED, RETRIABLE, connection refused, false",
      "UNRESOLVED, RETRIABLE, host not found, false",
      "CONNECT_TIMEOUT, TIMEOUT, connect timeout, false",
      "TLS_FAILED, RETRIABLE, tls handshake failed, false",
      "TIMEOUT, TIMEOUT, timeout, true",
      "RESET, RETRIABLE, connection reset, true",
      "CLOSED, RETRIABLE, connection closed, true",
      "REPLY_TOO_LARGE, UNSUPPORTED, reply too large, true",
      "MALFORMED_HTTP, RETRIABLE, malformed http reply, true",
      "IO_ERROR, RETRIABLE, i/o error, true"})
  void transportFailures(TransportFailure failure, OutcomeKind kind, String reason, boolean reached) {
    Classification c = ErrorClassifier.classifyTransportFailure(failure);
    assertEquals(kind, c.kind());
    assertEquals(reason, c.reason());
    assertEquals(reached, c.reachedProvider());
  }

  @Test
  void writesAreRetriedOnlyWhenTheySurelyDidNotLand() {
    Classification refused = ErrorClassifier.classifyTransportFailure(TransportFailure.CONNECT_REFUSED);
    Classification tls = ErrorClassifier.classifyTransportFailure(TransportFailure.TLS_FAILED);
    Classification timeout = ErrorClassifier.classifyTransportFailure(TransportFailure.TIMEOUT);
    Classification reset = ErrorClassifier.classifyTransportFailure(TransportFailure.RESET);
    Classification throttled = ErrorClassifier.classifyReply("eth_sendRawTransaction", 429, null, false, false, null, null);
    assertTrue(ErrorClassifier.mayRetry("eth_sendRawTransaction", refused));
    assertTrue(ErrorClassifier.mayRetry("eth_sendRawTransaction", tls));
    assertFalse(ErrorClassifier.mayRetry("eth_sendRawTransaction", timeout));
    assertFalse(ErrorClassifier.mayRetry("eth_sendRawTransaction", reset));
    assertTrue(ErrorClassifier.mayRetry("eth_sendRawTransaction", throttled));
    assertTrue(ErrorClassifier.mayRetry("eth_getBalance", timeout));
    assertFalse(ErrorClassifier.mayRetry("eth_getBalance", Classification.success()));
  }

  @Test
  void parsesRetryAfter() {
    assertEquals(Duration.ofSeconds(2), ErrorClassifier.parseRetryAfter(" 2 "));
    assertNull(ErrorClassifier.parseRetryAfter("soon"));
    assertNull(ErrorClassifier.parseRetryAfter(null));
    assertEquals(Duration.ZERO, ErrorClassifier.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT"));
  }
}
