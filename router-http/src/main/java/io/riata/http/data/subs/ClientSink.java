package io.riata.http.data.subs;

import io.netty.buffer.ByteBuf;

/** Where one client's notifications go: a ready JSON-RPC message, UTF-8. */
public interface ClientSink {
  /**
   * Takes the notification (and the duty to release it), or returns {@code false} when the client
   * could not take it; the feed then forgets the client. Called from the feed's thread.
   */
  boolean offer(ByteBuf notification);
}
