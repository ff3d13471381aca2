package io.riata.cluster.node;

import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.actor.typed.Behavior;
import io.riata.core.config.ChainConfig;
import io.riata.core.config.ChainsConfig;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The node-local runtimes of every configured chain. Immutable map; the runtimes are thread-safe. */
public final class NodeRuntime {

  private volatile ChainsConfig config;
  private final Map<String, ChainRuntime> byName;
  private final PauseGuard pauseGuard;
  private final LocalSingletons singletons = new LocalSingletons();

  /** A node without a pause guard (tests). */
  public NodeRuntime(ChainsConfig config, ClusterSettings settings) {
    this(config, settings, new PauseGuard(java.time.Duration.ZERO, System.nanoTime(), pause -> { }));
  }

  public NodeRuntime(ChainsConfig config, ClusterSettings settings, PauseGuard pauseGuard) {
    this.config = config;
    this.pauseGuard = pauseGuard;
    Map<String, ChainRuntime> map = new LinkedHashMap<>();
    for (ChainConfig chain : config.allChains()) {
      map.put(chain.name(),
          new ChainRuntime(chain, settings.localTripThreshold(), settings.localTripDuration(), System::nanoTime,
              new io.riata.core.rollup.RollupRecorder(settings.dashboard().maxMethods(), settings.dashboard().samples())));
    }
    this.byName = java.util.Collections.unmodifiableMap(map);
  }

  public ChainsConfig config() {
    return config;
  }

  /** Whether this node may still claim what it hosts, after the JVM's pauses (see {@link PauseGuard}). */
  public PauseGuard pauseGuard() {
    return pauseGuard;
  }

  /** The cluster singletons whose actor runs in this JVM. */
  public LocalSingletons singletons() {
    return singletons;
  }

  /**
   * Takes over a reloaded {@code chains.yml}. The caller has checked with {@code ConfigChanges}
   * that it applies live: the same chains with the same providers. Requests read the new values
   * from their next configuration read; requests in flight finish with the old ones.
   */
  public synchronized void apply(ChainsConfig next) {
    for (ChainConfig chain : next.allChains()) {
      ChainRuntime runtime = byName.get(chain.name());
      if (runtime == null) {
        throw new IllegalArgumentException("chain " + chain.name() + " is not running; adding one needs a restart");
      }
      runtime.replaceConfig(chain);
    }
    config = next;
  }

  /** A chain by name or decimal chain id. */
  public Optional<ChainRuntime> chain(String nameOrId) {
    ChainRuntime byKey = byName.get(nameOrId);
    if (byKey != null) {
      return Optional.of(byKey);
    }
    return config.chain(nameOrId).map(c -> byName.get(c.name()));
  }

  public Collection<ChainRuntime> chains() {
    return byName.values();
  }

  private volatile java.util.function.Consumer<io.riata.core.rollup.NodeRollup> rollupListener = rollup -> { };

  /** Who else gets this node's rollups (the metrics exporter), besides the aggregator. */
  public void onRollup(java.util.function.Consumer<io.riata.core.rollup.NodeRollup> listener) {
    rollupListener = listener;
  }

  /** Called by the rollup reporter with each rollup it sends. */
  public void rolledUp(io.riata.core.rollup.NodeRollup rollup) {
    rollupListener.accept(rollup);
  }

  private volatile boolean stopping;
  private final LongAdder deadLetters = new LongAdder();
  private final LongAdder dropped = new LongAdder();

  /** Messages this node could not deliver (a full bounded mailbox among them), since start. */
  public long deadLetters() {
    return deadLetters.sum();
  }

  /** Messages dropped on purpose (for example by an overloaded stage), since start. */
  public long droppedMessages() {
    return dropped.sum();
  }

  /** The actor that keeps {@link #deadLetters()} and {@link #droppedMessages()}; started once per node. */
  public Behavior<Object> deadLetterCounter() {
    return DeadLetterCounter.create(deadLetters, dropped);
  }

  /** Marks the node as leaving: it reports not ready so load balancers stop sending to it. */
  public void markStopping() {
    stopping = true;
  }

  public boolean stopping() {
    return stopping;
  }

  /** Ready once every chain has a snapshot from its pool, and until the node starts leaving. */
  public boolean ready() {
    if (stopping) {
      return false;
    }
    for (ChainRuntime c : byName.values()) {
      if (!c.hasPoolSnapshot()) {
        return false;
      }
    }
    return true;
  }
}
