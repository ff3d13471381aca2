package io.riata.core.engine;

/** Cuts the request objects of a body out of the transport's buffer, for forwarding as they came. */
public interface Payloads<P> {

  /** The bytes {@code [offset, offset + length)} of the body, held until {@link #release} (no copy). */
  P slice(int offset, int length);

  void release(P payload);
}
