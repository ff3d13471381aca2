package io.riata.http.data.subs;

import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.riata.core.jsonrpc.JsonRpcCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The clients of one feed and the fan-out of an event to them. Each client's notification is its
 * own prefix (with its subscription id) joined to the event's bytes, which are encoded once per
 * event: the join wraps the arrays without copying them, so a head sent to a thousand clients is
 * serialized once, not a thousand times. The clients are grouped by the event loop of their
 * connection, and each loop gets one task per event that writes to all of its clients, and one
 * that flushes them. Used inside one actor only.
 */
final class Subscribers {

  private static final byte[] START =
      "{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":{\"subscription\":".getBytes(StandardCharsets.UTF_8);
  private static final byte[] RESULT = ",\"result\":".getBytes(StandardCharsets.UTF_8);
  private static final byte[] END = "}}".getBytes(StandardCharsets.UTF_8);

  private record Client(String id, byte[] prefix, ClientSink sink) {}

  private final Map<String, Client> clients = new LinkedHashMap<>();
  /** The same clients by event loop; rebuilt when a client comes or goes, read per event. */
  private Map<EventLoop, Client[]> byLoop = Map.of();

  void add(String subscriptionId, ClientSink sink) {
    String prefix = new String(START, StandardCharsets.UTF_8) + JsonRpcCodec.quote(subscriptionId)
        + new String(RESULT, StandardCharsets.UTF_8);
    clients.put(subscriptionId, new Client(subscriptionId, prefix.getBytes(StandardCharsets.UTF_8), sink));
    regroup();
  }

  void remove(String subscriptionId) {
    if (clients.remove(subscriptionId) != null) {
      regroup();
    }
  }

  boolean isEmpty() {
    return clients.isEmpty();
  }

  /** Sends the event (a JSON value, UTF-8) to every client; clients whose connection ended are forgotten. */
  void publish(byte[] result) {
    boolean gone = false;
    for (Iterator<Client> it = clients.values().iterator(); it.hasNext(); ) {
      if (!it.next().sink().open()) {
        it.remove();
        gone = true;
      }
    }
    if (gone) {
      regroup();
    }
    for (Map.Entry<EventLoop, Client[]> loop : byLoop.entrySet()) {
      Client[] theirs = loop.getValue();
      EventLoop executor = loop.getKey();
      executor.execute(() -> {
        for (Client c : theirs) {
          c.sink().deliver(Unpooled.wrappedBuffer(c.prefix(), result, END));
        }
        // Flushed by a task of its own, queued behind what the loop has to do already: when the
        // loop falls behind, the next events are written first and one flush (one system call
        // per client) sends them together, so a burst costs fewer calls instead of more.
        executor.execute(() -> {
          for (Client c : theirs) {
            c.sink().flush();
          }
        });
      });
    }
  }

  private void regroup() {
    Map<EventLoop, List<Client>> grouped = new IdentityHashMap<>();
    for (Client c : clients.values()) {
      if (c.sink().loop() != null) {
        grouped.computeIfAbsent(c.sink().loop(), l -> new ArrayList<>()).add(c);
      }
    }
    Map<EventLoop, Client[]> next = new IdentityHashMap<>();
    grouped.forEach((loop, list) -> next.put(loop, list.toArray(new Client[0])));
    byLoop = next;
  }
}
