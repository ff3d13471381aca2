package io.riata.core.rollup;

/**
 * One chain x provider x method over one interval.
 *
 * @param requests   requests whose answer came from this provider (for the pseudo-provider
 *                   {@link RollupRecorder#RIATA}: requests Riata answered itself)
 * @param failovers  of those, requests that needed more than one attempt
 * @param unanswered requests no provider could answer (Riata's own error went back); only on
 *                   {@link RollupRecorder#RIATA}
 * @param outcomes   attempts against this provider, by how they ended
 * @param latency    duration of those attempts
 */
public record MethodStats(String method, long requests, long failovers, long unanswered, Outcomes outcomes,
                          LatencyHistogram latency) {

  public MethodStats merge(MethodStats o) {
    return new MethodStats(method, requests + o.requests, failovers + o.failovers, unanswered + o.unanswered,
        outcomes.plus(o.outcomes), latency.merge(o.latency));
  }
}
