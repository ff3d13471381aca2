package io.riata.cluster.pool;

import io.riata.core.config.ChainsConfig;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What every pool entity on a node is built with.
 *
 * @param chains            the configuration in force; read when an entity starts
 * @param publishCoalesce   changes within this window go out as one snapshot
 * @param republishInterval snapshots also go out this often, so a node that missed one catches up
 *
 * <p>The mailbox capacity is not here: the entity's mailbox reads it from configuration
 * ({@code riata.cluster.mailboxes.entity}).
 */
public record PoolSettings(
    Supplier<ChainsConfig> chains,
    HeadProbe probe,
    Duration publishCoalesce,
    Duration republishInterval,
    LongSupplier nanoClock) {}
