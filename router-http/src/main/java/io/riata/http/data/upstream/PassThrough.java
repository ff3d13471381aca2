package io.riata.http.data.upstream;

import io.netty.buffer.ByteBuf;

/**
 * A provider's reply that is passed to the client as it arrives rather than held whole. The
 * reply's body as the engine saw it is only its start; whoever writes the answer takes the rest
 * over with {@link #start}. Used on the event loop of the client connection (which the upstream
 * connection shares).
 */
public interface PassThrough {

  /** The reply {@code body} is the start of, or {@code null} when the body is the whole reply. */
  static PassThrough of(ByteBuf body) {
    return body instanceof StreamHead head ? head : null;
  }

  /** The whole reply's length in bytes, or -1 when the provider did not say (chunked). */
  long contentLength();

  /**
   * Takes the rest of the reply over: {@code sink} gets it from here on, in order, starting with
   * what arrived meanwhile. Call before the start's bytes can be released (before writing them).
   */
  void start(Sink sink);

  /** Stops reading from the provider until {@link #resume} (the client is slow to take the reply). */
  void pause();

  void resume();

  /** The client went away: the provider's connection is closed (its reply cannot be finished). */
  void cancel();

  /** Where the rest of a reply goes. */
  interface Sink {

    /** The next bytes; {@code last} ends the reply. The sink owns {@code data}. */
    void part(ByteBuf data, boolean last);

    /** The provider's connection ended before the reply did: the client's reply is cut short. */
    void broken();
  }
}
