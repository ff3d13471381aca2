package io.riata.http.data.subs;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.riata.core.jsonrpc.JsonRpcCodec;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The clients of one feed and the fan-out of an event to them. Each client's notification is its
 * own prefix (with its subscription id) joined to the event's bytes, which are encoded once per
 * event: the join wraps the arrays without copying them, so a head sent to a thousand clients is
 * serialized once, not a thousand times. Used inside one actor only.
 */
final class Subscribers {

  private static final byte[] START =
      "{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":{\"subscription\":".getBytes(StandardCharsets.UTF_8);
  private static final byte[] RESULT = ",\"result\":".getBytes(StandardCharsets.UTF_8);
  private static final byte[] END = "}}".getBytes(StandardCharsets.UTF_8);

  private record Client(byte[] prefix, ClientSink sink) {}

  private final Map<String, Client> clients = new LinkedHashMap<>();

  void add(String subscriptionId, ClientSink sink) {
    String prefix = new String(START, StandardCharsets.UTF_8) + JsonRpcCodec.quote(subscriptionId)
        + new String(RESULT, StandardCharsets.UTF_8);
    clients.put(subscriptionId, new Client(prefix.getBytes(StandardCharsets.UTF_8), sink));
  }

  void remove(String subscriptionId) {
    clients.remove(subscriptionId);
  }

  boolean isEmpty() {
    return clients.isEmpty();
  }

  /** Sends the event (a JSON value, UTF-8) to every client; a client that cannot take it is forgotten. */
  void publish(byte[] result) {
    Iterator<Client> it = clients.values().iterator();
    while (it.hasNext()) {
      Client client = it.next();
      ByteBuf notification = Unpooled.wrappedBuffer(client.prefix(), result, END);
      if (!client.sink().offer(notification)) {
        it.remove(); // too slow: its connection is being closed
      }
    }
  }
}
