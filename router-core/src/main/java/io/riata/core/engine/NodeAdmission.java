package io.riata.core.engine;

/**
 * Whether this node takes on one more request at all, decided before any provider is chosen. A
 * refused request is answered at once (HTTP 503), never queued.
 */
public interface NodeAdmission {

  /** Admits everything. */
  NodeAdmission UNBOUNDED = new NodeAdmission() {
    @Override
    public boolean tryEnter() {
      return true;
    }

    @Override
    public void exit() {
    }
  };

  /** Takes a place for one request, or returns {@code false} when the node is full. */
  boolean tryEnter();

  /** Gives back the place taken by a successful {@link #tryEnter()}, once the request is answered. */
  void exit();
}
