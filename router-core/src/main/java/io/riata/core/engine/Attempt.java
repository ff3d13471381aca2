package io.riata.core.engine;

/**
 * One try against one provider, as the attempt log shows it.
 *
 * @param reason how it ended: {@code ok}, {@code timeout}, {@code http 503}, {@code saturated} ...
 * @param hedge  it was sent while an earlier attempt was still in flight
 */
public record Attempt(String providerId, String reason, long nanos, boolean hedge) {}
