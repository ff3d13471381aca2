package io.riata.cluster.breaker;

import io.riata.cluster.CborSerializable;
import io.riata.core.breaker.BreakerPhase;

/**
 * Event: a breaker changed phase. Sent to the chain's pool and published on
 * {@link CircuitBreaker#EVENTS_TOPIC} for observers (logs, dashboard).
 *
 * @param schemaVersion bumped when a field changes meaning; readers ignore unknown fields
 * @param transport     {@code http} or {@code ws}
 * @param trips         openings since the breaker last closed; drives the cool-down back-off
 * @param atMillis      wall-clock time of the change on the breaker's node
 */
public record BreakerTransitioned(
    int schemaVersion,
    String chain,
    String providerId,
    String transport,
    BreakerPhase from,
    BreakerPhase to,
    String cause,
    int trips,
    long atMillis) implements CborSerializable {

  public static final int SCHEMA_VERSION = 1;
}
