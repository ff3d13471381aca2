package io.riata.core.rollup;

/**
 * A chain's retries and hedges over one interval: what its retry budget let through, what it
 * refused, and how often a hedge's answer was the one that went back.
 *
 * @param retries       attempts sent after an earlier attempt of the same request failed
 * @param retriesDenied retries and hedges not sent because the chain's retry budget was spent
 * @param hedges        attempts sent while an earlier attempt of the same request was still in flight
 * @param hedgesWon     requests answered by a hedge
 */
public record RetryCounts(long retries, long retriesDenied, long hedges, long hedgesWon) {

  public static final RetryCounts NONE = new RetryCounts(0, 0, 0, 0);

  public RetryCounts plus(RetryCounts o) {
    return new RetryCounts(retries + o.retries, retriesDenied + o.retriesDenied, hedges + o.hedges,
        hedgesWon + o.hedgesWon);
  }
}
