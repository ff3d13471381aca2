package io.riata.core.failover;

import java.time.Duration;

/**
 * The verdict on one attempt.
 *
 * @param reason           short, stable text for operators and the attempts list, e.g. {@code http 503}
 * @param retryAfter       how long the provider asked us to stay away, or {@code null}
 * @param reachedProvider  {@code false} only when the request surely never left this process or was
 *                         refused at connect: the one case where a non-idempotent write may be retried
 */
public record Classification(OutcomeKind kind, String reason, Duration retryAfter, boolean reachedProvider) {

  private static final Classification SUCCESS = new Classification(OutcomeKind.SUCCESS, "ok", null, true);

  public static Classification success() {
    return SUCCESS;
  }
}
