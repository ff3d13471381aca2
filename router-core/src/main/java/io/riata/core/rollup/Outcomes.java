package io.riata.core.rollup;

import io.riata.core.failover.OutcomeKind;

/** Attempts against a provider by how they ended, one count per {@link OutcomeKind}. */
public record Outcomes(long success, long callerError, long rateLimited, long unsupported, long timeout, long retriable) {

  public static final Outcomes NONE = new Outcomes(0, 0, 0, 0, 0, 0);

  /** From counts indexed by {@link OutcomeKind#ordinal()}. */
  static Outcomes of(long[] byKind) {
    return new Outcomes(
        byKind[OutcomeKind.SUCCESS.ordinal()],
        byKind[OutcomeKind.CALLER_ERROR.ordinal()],
        byKind[OutcomeKind.RATE_LIMITED.ordinal()],
        byKind[OutcomeKind.UNSUPPORTED.ordinal()],
        byKind[OutcomeKind.TIMEOUT.ordinal()],
        byKind[OutcomeKind.RETRIABLE.ordinal()]);
  }

  public Outcomes plus(Outcomes o) {
    return new Outcomes(success + o.success, callerError + o.callerError, rateLimited + o.rateLimited,
        unsupported + o.unsupported, timeout + o.timeout, retriable + o.retriable);
  }

  /** Every attempt. */
  public long attempts() {
    return success + callerError + rateLimited + unsupported + timeout + retriable;
  }

  /** Attempts where the provider misbehaved (rate limiting included): the dashboard's errors. */
  public long providerErrors() {
    return rateLimited + timeout + retriable;
  }
}
