package io.riata.cluster.node;

import com.typesafe.config.Config;
import io.riata.core.breaker.BreakerSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code riata.cluster} from reference.conf / application.conf, read once. The mailbox capacities
 * are read by the metered mailboxes themselves ({@code riata.cluster.mailboxes.*.capacity-setting});
 * they are read here too so that a bad value fails at start.
 *
 * @param standInAfter how long a node goes without a snapshot of a chain from its pool before it
 *                     probes the chain's heads itself; null when it never does
 * @param maxPause     the pause guard's limit ({@code pause-guard.max-pause}, {@code auto} resolved);
 *                     {@link Duration#ZERO} when the guard is off
 */
public record ClusterSettings(
    String bootstrap,
    List<String> seedNodes,
    Duration reportInterval,
    Duration publishCoalesce,
    Duration republishInterval,
    Duration standInAfter,
    int mailboxCapacity,
    int localTripThreshold,
    Duration localTripDuration,
    BreakerSettings breaker,
    Dashboard dashboard,
    Duration maxPause) {

  /**
   * {@code riata.cluster.dashboard}.
   *
   * @param interval   how often nodes send rollups and the aggregator publishes one
   * @param samples    routing decisions kept per chain per interval (per node, and after merging)
   * @param maxMethods distinct methods counted apart per provider; the rest share "other"
   * @param mailboxCapacity bound of the aggregator's mailbox (the mailbox itself reads the setting,
   *                        see {@code riata.cluster.mailboxes}; read here too so a bad value fails at start)
   */
  public record Dashboard(Duration interval, int samples, int maxMethods, int mailboxCapacity) {}

  /** {@code stand-in-after}: a duration longer than {@code republish-interval}, or null for "off". */
  private static Duration standInAfter(Config c) {
    if (c.getValue("stand-in-after").unwrapped() instanceof String text && text.trim().equalsIgnoreCase("off")) {
      return null;
    }
    Duration after = c.getDuration("stand-in-after");
    Duration republish = c.getDuration("republish-interval");
    if (after.compareTo(republish) <= 0) {
      throw new IllegalArgumentException("riata.cluster.stand-in-after (" + after + ") must be longer than"
          + " riata.cluster.republish-interval (" + republish + "), or off: a pool that is alive republishes"
          + " that often, and every node would probe on its own between two publications");
    }
    return after;
  }

  public static ClusterSettings from(Config root) {
    Config c = root.getConfig("riata.cluster");
    Config b = c.getConfig("breaker");
    List<String> seeds = new ArrayList<>();
    for (String seed : c.getString("seed-nodes").split(",")) {
      if (!seed.isBlank()) {
        seeds.add(seed.trim());
      }
    }
    return new ClusterSettings(
        c.getString("bootstrap"),
        List.copyOf(seeds),
        c.getDuration("report-interval"),
        c.getDuration("publish-coalesce"),
        c.getDuration("republish-interval"),
        standInAfter(c),
        c.getInt("mailbox-capacity"),
        c.getInt("local-trip.consecutive-failures"),
        c.getDuration("local-trip.duration"),
        new BreakerSettings(
            b.getInt("failure-threshold"),
            b.getInt("timeout-threshold"),
            b.getDuration("open-duration"),
            b.getDuration("max-open-duration"),
            b.getDouble("backoff-multiplier"),
            b.getInt("half-open-permits")),
        new Dashboard(
            c.getDuration("dashboard.interval"),
            c.getInt("dashboard.samples"),
            c.getInt("dashboard.max-methods"),
            c.getInt("dashboard.mailbox-capacity")),
        maxPause(root));
  }

  /** {@code riata.cluster.pause-guard.max-pause}: {@link Duration#ZERO} when off. */
  static Duration maxPause(Config root) {
    String value = root.getString("riata.cluster.pause-guard.max-pause").trim();
    if (value.equals("off")) {
      return Duration.ZERO;
    }
    // The others call a silent node unreachable no sooner than acceptable-heartbeat-pause after its
    // last heartbeat, then wait stable-after before downing it: a shorter stand-still is survived.
    Duration d = value.equals("auto")
        ? root.getDuration("pekko.cluster.failure-detector.acceptable-heartbeat-pause")
            .plus(root.getDuration("pekko.cluster.split-brain-resolver.stable-after"))
        : root.getDuration("riata.cluster.pause-guard.max-pause");
    if (d.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("riata.cluster.pause-guard.max-pause must be at least 1s (or auto, or off), got "
          + d + (value.equals("auto") ? " from the failure detector's and split-brain resolver's settings" : ""));
    }
    return d;
  }
}
