package io.riata.cluster.node;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cluster singletons whose actor runs in this JVM right now: each singleton marks itself when
 * it starts and clears the mark when it stops. Local truth, unlike the cluster rollup's view of
 * where the aggregator runs.
 */
public final class LocalSingletons {

  private final Map<String, Long> sinceMillis = new ConcurrentHashMap<>();

  /** Called by the singleton actor when it starts (and after a supervised restart). */
  public void started(String name, long atMillis) {
    sinceMillis.put(name, atMillis);
  }

  /** Called by the singleton actor when it stops. */
  public void stopped(String name) {
    sinceMillis.remove(name);
  }

  /** Name to start time (epoch milliseconds) of every singleton running here, by name. */
  public Map<String, Long> running() {
    return new TreeMap<>(sinceMillis);
  }
}
