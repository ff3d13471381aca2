package io.riata.cluster;

/**
 * Marker for every message that may cross nodes; bound to Jackson CBOR in reference.conf.
 * Core types that travel (snapshots, statuses) are bound by class name there, since the core
 * module knows nothing of Pekko.
 */
public interface CborSerializable {}
