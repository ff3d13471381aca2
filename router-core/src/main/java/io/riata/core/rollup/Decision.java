package io.riata.core.rollup;

/**
 * One routing decision, kept as a sample for the dashboard's live request list.
 *
 * @param provider the provider that answered, or {@link RollupRecorder#RIATA}
 * @param outcome  the last attempt's {@code OutcomeKind} name, or {@code LOCAL} (Riata answered
 *                 from configuration) or {@code NO_PROVIDER}
 * @param reason   why this provider: the strategy's first choice, or the failures that moved the
 *                 request on (e.g. {@code failover: p1 http 503}), or that a hedge raced it
 * @param hedged   a hedge was sent for the request (an attempt marked hedge in its attempt log)
 * @param hedgeWon the answer that went back came from a hedge
 */
public record Decision(long atMillis, String chain, String provider, String method, String outcome,
                       long latencyMicros, int attempts, String reason, boolean hedged, boolean hedgeWon) {

  /** A decision without a hedge. */
  public Decision(long atMillis, String chain, String provider, String method, String outcome, long latencyMicros,
                  int attempts, String reason) {
    this(atMillis, chain, provider, method, outcome, latencyMicros, attempts, reason, false, false);
  }
}
