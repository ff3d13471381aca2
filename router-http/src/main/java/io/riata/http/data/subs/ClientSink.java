package io.riata.http.data.subs;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;

/**
 * Where one client's notifications go: its connection, on its event loop. A feed hands each event
 * to every loop once, and the loop delivers it to its own clients and flushes them together, so a
 * head sent to a thousand clients costs one task per loop, not one per client.
 */
public interface ClientSink {

  /**
   * A subscriber that takes nothing and only keeps a feed running (a logs feed holds the chain's
   * heads feed this way: heads are what show a stalled provider).
   */
  ClientSink HOLD = new ClientSink() {
    @Override
    public EventLoop loop() {
      return null;
    }

    @Override
    public void deliver(ByteBuf notification) {
      notification.release();
    }

    @Override
    public void flush() {
    }

    @Override
    public boolean open() {
      return true;
    }
  };

  /** The event loop of the client's connection, where {@link #deliver} and {@link #flush} run; {@code null} for {@link #HOLD}. */
  EventLoop loop();

  /**
   * Writes one notification (a ready JSON-RPC message, UTF-8; the sink releases it) without
   * flushing. A client that has fallen too far behind is disconnected instead.
   */
  void deliver(ByteBuf notification);

  /** Sends what {@link #deliver} wrote. */
  void flush();

  /** Whether the client still takes notifications; a feed forgets a closed one. Any thread. */
  boolean open();
}
