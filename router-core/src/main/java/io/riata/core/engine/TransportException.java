package io.riata.core.engine;

/** How a call made outside the engine (a head probe) reports an attempt that got no HTTP answer. */
public final class TransportException extends RuntimeException {
  private final TransportFailure failure;

  public TransportException(TransportFailure failure) {
    super(failure.reason(), null, false, false);
    this.failure = failure;
  }

  public TransportFailure failure() {
    return failure;
  }

  /** The attempt's time ran out (the breaker counts timeouts apart). */
  public boolean timedOut() {
    return failure.kind() == io.riata.core.failover.OutcomeKind.TIMEOUT;
  }
}
