package io.riata.core.failover;

import io.riata.core.engine.TransportFailure;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Set;

/**
 * Decides what one attempt's ending means: whether the provider is at fault, whether another
 * provider may do better, and whether trying again is safe. Pure functions of what came back.
 *
 * <p>The rule of thumb: an error about the request itself (reverted call, bad params, nonce too
 * low) is the caller's and goes back as-is; an error about the provider's state or capacity
 * (5xx, resets, missing state, throttling, unknown method) moves the request on.
 */
public final class ErrorClassifier {

  /** Methods whose effect may land even when no answer came back; never sent twice once delivered. */
  private static final Set<String> WRITES = Set.of(
      "eth_sendRawTransaction", "eth_sendTransaction", "eth_sendBundle", "eth_sendPrivateTransaction",
      "eth_sendRawTransactionConditional", "personal_sendTransaction", "eth_submitWork", "eth_submitHashrate");

  /** Phrases in {@code error.message} by which providers say "slow down". */
  private static final String[] RATE_LIMIT_PHRASES = {
      "rate limit", "rate-limit", "ratelimit", "too many requests", "limit exceeded", "exceeded the quota",
      "quota exceeded", "capacity exceeded", "compute units", "throughput exceeded", "request limit"};

  /**
   * Phrases by which a provider says the request is bigger than it serves (log ranges, result
   * counts); another provider may allow more, and this one is not unhealthy for it.
   */
  private static final String[] TOO_BIG_PHRASES = {
      "query returned more than", "response size exceeded", "block range", "limited to a", "range is too large",
      "too many blocks", "exceed maximum block range", "results exceed", "response is too big"};

  /** Phrases that mean "this node lacks the state", which another (archival or synced) node may have. */
  private static final String[] MISSING_STATE_PHRASES = {
      "header not found", "missing trie node", "unknown block", "state not available", "not available yet",
      "historical state", "pruned", "block not found", "state histories", "is not available"};

  /** Phrases that put the blame on the request. */
  private static final String[] CALLER_PHRASES = {
      "execution reverted", "revert", "nonce too low", "nonce too high", "insufficient funds", "already known",
      "replacement transaction underpriced", "intrinsic gas too low", "gas required exceeds", "invalid argument",
      "invalid params", "cannot unmarshal", "max fee per gas less than block base fee", "exceeds block gas limit",
      "transaction underpriced", "invalid sender", "out of gas"};

  private ErrorClassifier() {}

  /** An attempt that produced no HTTP answer. */
  public static Classification classifyTransportFailure(TransportFailure failure) {
    return new Classification(failure.kind(), failure.reason(), null, failure.reachedProvider());
  }

  /**
   * An HTTP answer.
   *
   * @param retryAfterHeader the {@code Retry-After} header, or {@code null}
   * @param wellFormed       the body is a JSON-RPC response object
   * @param hasResult        it has a result and no error
   * @param errorCode        {@code error.code}, or {@code null}
   * @param errorMessage     {@code error.message}, or {@code null}
   */
  public static Classification classifyReply(
      String method, int status, String retryAfterHeader, boolean wellFormed, boolean hasResult,
      Integer errorCode, String errorMessage) {
    if (status == 429) {
      return new Classification(OutcomeKind.RATE_LIMITED, "http 429", parseRetryAfter(retryAfterHeader), true);
    }
    if (!wellFormed) {
      String reason = status >= 200 && status < 300 ? "malformed reply" : "http " + status;
      return new Classification(OutcomeKind.RETRIABLE, reason, parseRetryAfter(retryAfterHeader), true);
    }
    if (hasResult) {
      if (status >= 200 && status < 300) {
        return Classification.success();
      }
      return new Classification(OutcomeKind.RETRIABLE, "http " + status, null, true);
    }
    return classifyError(status, errorCode, errorMessage, retryAfterHeader);
  }

  private static Classification classifyError(int status, Integer code, String message, String retryAfterHeader) {
    String text = message == null ? "" : message.toLowerCase(Locale.ROOT);
    String reason = "error " + (code == null ? "?" : code.toString());
    if (containsAny(text, TOO_BIG_PHRASES)) {
      return new Classification(OutcomeKind.UNSUPPORTED, reason + " too big for this provider", null, true);
    }
    if ((code != null && (code == -32005 || code == 429)) || containsAny(text, RATE_LIMIT_PHRASES)) {
      return new Classification(OutcomeKind.RATE_LIMITED, reason + " rate limited", parseRetryAfter(retryAfterHeader), true);
    }
    if (code != null && (code == -32601 || code == -32004)) {
      return new Classification(OutcomeKind.UNSUPPORTED, reason + " method not available", null, true);
    }
    if (containsAny(text, MISSING_STATE_PHRASES)) {
      return new Classification(OutcomeKind.RETRIABLE, reason + " missing state", null, true);
    }
    if (containsAny(text, CALLER_PHRASES)) {
      return new Classification(OutcomeKind.CALLER_ERROR, reason, null, true);
    }
    if (code == null) {
      return new Classification(OutcomeKind.RETRIABLE, "error without code", null, true);
    }
    int c = code;
    if (c == -32700 || c == -32600 || c == -32602 || c == 3 || c == -32003 || c == -32015 || c == -32006) {
      return new Classification(OutcomeKind.CALLER_ERROR, reason, null, true);
    }
    if (status >= 500 || c == -32603 || c == -32000 || c == -32001 || c == -32002 || (c <= -32000 && c >= -32099)) {
      // -32000..-32099 are "server error" in JSON-RPC 2.0: the node's trouble unless the message said otherwise.
      return new Classification(OutcomeKind.RETRIABLE, reason, null, true);
    }
    return new Classification(OutcomeKind.CALLER_ERROR, reason, null, true);
  }

  /**
   * Whether the request may go to another provider after this verdict. Reads always may; a write
   * only when it surely did not reach the provider or the provider refused it unprocessed (429).
   */
  public static boolean mayRetry(String method, Classification verdict) {
    if (verdict.kind().settles()) {
      return false;
    }
    if (!isWrite(method)) {
      return true;
    }
    return !verdict.reachedProvider() || verdict.kind() == OutcomeKind.RATE_LIMITED
        || verdict.kind() == OutcomeKind.UNSUPPORTED;
  }

  public static boolean isWrite(String method) {
    return WRITES.contains(method);
  }

  /** {@code Retry-After} as delta-seconds or an HTTP date; {@code null} when absent or unreadable. */
  public static Duration parseRetryAfter(String header) {
    if (header == null || header.isBlank()) {
      return null;
    }
    String value = header.trim();
    try {
      long seconds = Long.parseLong(value);
      return seconds < 0 ? null : Duration.ofSeconds(Math.min(seconds, 3600));
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
        return d.isNegative() ? Duration.ZERO : d.compareTo(Duration.ofHours(1)) > 0 ? Duration.ofHours(1) : d;
      } catch (DateTimeParseException notADate) {
        return null;
      }
    }
  }

  private static boolean containsAny(String text, String[] phrases) {
    if (text.isEmpty()) {
      return false;
    }
    for (String p : phrases) {
      if (text.contains(p)) {
        return true;
      }
    }
    return false;
  }
}
