package io.riata.core.engine;

/** Something started that may be called off: an attempt in flight or a scheduled task. */
@FunctionalInterface
public interface Cancellable {
  Cancellable NONE = () -> { };

  /** Calls it off; a cancelled attempt never reports to its listener. Calling twice, or after it ended, does nothing. */
  void cancel();
}
