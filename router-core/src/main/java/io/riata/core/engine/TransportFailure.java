package io.riata.core.engine;

import io.riata.core.failover.OutcomeKind;

/**
 * Why an attempt ended without an HTTP answer, as the engine needs to know it: each transport
 * maps its own errors (exceptions, close events, timers) to one of these, so core never sees a
 * transport's exception types.
 */
public enum TransportFailure {
  /** The provider refused the connection: nothing was sent. */
  CONNECT_REFUSED("connection refused", OutcomeKind.RETRIABLE, false),
  /** The provider's host name could not be resolved: nothing was sent. */
  UNRESOLVED("host not found", OutcomeKind.RETRIABLE, false),
  /** No connection within the connect timeout (or the attempt's time ran out while connecting): nothing was sent. */
  CONNECT_TIMEOUT("connect timeout", OutcomeKind.TIMEOUT, false),
  /** The TLS handshake failed (untrusted certificate, wrong host name, protocol): nothing was sent. */
  TLS_FAILED("tls handshake failed", OutcomeKind.RETRIABLE, false),
  /** The request went out and no complete answer came back within the attempt's timeout. */
  TIMEOUT("timeout", OutcomeKind.TIMEOUT, true),
  /** The connection was reset after the request may have been sent. */
  RESET("connection reset", OutcomeKind.RETRIABLE, true),
  /** The provider closed the connection before answering in full. */
  CLOSED("connection closed", OutcomeKind.RETRIABLE, true),
  /**
   * The answer was larger than {@code riata.http.upstream.max-response-size}. Not the provider's
   * fault, and another provider's answer would be as large: the request ends there.
   */
  REPLY_TOO_LARGE("reply too large", OutcomeKind.UNSUPPORTED, true),
  /** The answer was not valid HTTP. */
  MALFORMED_HTTP("malformed http reply", OutcomeKind.RETRIABLE, true),
  /** Any other input or output error on the connection. */
  IO_ERROR("i/o error", OutcomeKind.RETRIABLE, true);

  private final String reason;
  private final OutcomeKind kind;
  private final boolean reachedProvider;

  TransportFailure(String reason, OutcomeKind kind, boolean reachedProvider) {
    this.reason = reason;
    this.kind = kind;
    this.reachedProvider = reachedProvider;
  }

  /** Short text for the attempt log, e.g. {@code connection refused}. */
  public String reason() {
    return reason;
  }

  public OutcomeKind kind() {
    return kind;
  }

  /**
   * {@code false} only when the request surely never reached the provider, the one case in which
   * a write may be sent to another provider.
   */
  public boolean reachedProvider() {
    return reachedProvider;
  }
}
