package io.riata.http.subs;

import org.apache.pekko.util.ByteString;

/** Where one client's notifications go: a ready JSON-RPC message, UTF-8. */
public interface ClientSink {
  /** {@code false} when the client could not take it; the feed then forgets the client. */
  boolean offer(ByteString notification);
}
