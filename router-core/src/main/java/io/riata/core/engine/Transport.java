package io.riata.core.engine;

import io.riata.core.config.ProviderConfig;
import io.riata.core.jsonrpc.UpstreamReply;

/**
 * The engine's port to the wire. One instance serves one thread (in Riata, one Netty event loop):
 * the engine calls it on that thread, and it reports on that thread, so a request never changes
 * threads between its attempts. Tests drive the engine with a scripted fake.
 *
 * @param <P> a request's bytes as the transport holds them (the engine passes them through)
 * @param <B> a reply's bytes as the transport holds them (the engine inspects, keeps or releases them)
 */
public interface Transport<P, B> {

  /**
   * Sends {@code payload} to the provider. The outcome goes to {@code listener} exactly once, at
   * the latest when {@code timeoutNanos} has passed, unless the attempt is cancelled first. The
   * listener may be called before this method returns (a failure known at once). The transport
   * must not release {@code payload}: it belongs to the caller of the engine.
   */
  Cancellable send(ProviderConfig provider, P payload, long timeoutNanos, AttemptListener<B> listener);

  /** Runs {@code task} on this transport's thread after {@code delayNanos}. */
  Cancellable schedule(long delayNanos, Runnable task);

  /** Reads the reply's shape (result or error code and message) without keeping it. */
  UpstreamReply inspect(B body);

  /**
   * The reply's {@code result} as a quantity (a hex string such as {@code "0x1b4"}), or -1 when it
   * is not one. Asked only of well-formed replies to methods whose result is a block number.
   */
  long resultQuantity(B body);

  /** Gives back a reply body the engine does not hand on. */
  void release(B body);

  /** The largest reply this transport reads, in bytes; -1 when it does not say. */
  default long maxReplyBytes() {
    return -1;
  }

  /**
   * This transport with every reply held whole, for callers that need the whole body of each
   * (a batch's elements are put together into one answer). A transport that may hand on a large
   * reply's start only, the rest following outside the engine, returns its holding self here.
   */
  default Transport<P, B> whole() {
    return this;
  }
}
