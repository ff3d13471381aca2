package io.riata.core.health;

import java.time.Duration;

/**
 * How often the pool asks each provider for its head.
 *
 * <p>Half the block time: a provider's head is then never more than about one block old when its
 * lag is judged, so a healthy provider does not look behind merely because of when it was probed.
 * At least {@link #MIN}: on sub-second chains probing faster buys nothing against a round trip of
 * similar length and spends the provider's rate limit. At most {@link #MAX}: on slow chains a
 * provider that stopped answering is still noticed within seconds, not minutes.
 */
public final class HeadProbeSchedule {
  public static final Duration MIN = Duration.ofMillis(250);
  public static final Duration MAX = Duration.ofSeconds(15);

  private HeadProbeSchedule() {}

  public static Duration interval(Duration blockTime) {
    if (blockTime == null || blockTime.isNegative()) {
      throw new IllegalArgumentException("block time must be zero or positive, was " + blockTime);
    }
    Duration half = blockTime.dividedBy(2);
    if (half.compareTo(MIN) < 0) {
      return MIN;
    }
    return half.compareTo(MAX) > 0 ? MAX : half;
  }
}
