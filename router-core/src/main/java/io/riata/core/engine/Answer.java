package io.riata.core.engine;

import java.util.List;

/**
 * The answer to one JSON-RPC message.
 *
 * @param single  the message was one request object (not a batch): answer with {@code parts}'
 *                only element as it is, not in an array
 * @param parts   what to send back, in order: one per request that is not a notification, and one
 *                per invalid element; empty when nothing is due (only notifications)
 * @param routed  the outcomes of the valid requests, for the routing headers
 */
public record Answer<B>(boolean single, List<Outcome<B>> parts, List<Outcome<B>> routed) {

  /** Whether nothing is to be sent back (HTTP 204). */
  public boolean empty() {
    return parts.isEmpty();
  }
}
