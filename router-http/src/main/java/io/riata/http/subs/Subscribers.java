package io.riata.http.subs;

import io.riata.core.jsonrpc.JsonRpcCodec;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.pekko.util.ByteString;

/**
 * The clients of one feed and the fan-out of an event to them. Each client's notification is its
 * own prefix (with its subscription id) joined to the event's bytes, which are encoded once per
 * event: joining byte strings links them without copying, so a head sent to a thousand clients is
 * serialized once, not a thousand times. Used inside one actor only.
 */
final class Subscribers {

  private static final ByteString START = ByteString.fromString(
      "{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":{\"subscription\":", StandardCharsets.UTF_8);
  private static final ByteString RESULT = ByteString.fromString(",\"result\":", StandardCharsets.UTF_8);
  private static final ByteString END = ByteString.fromString("}}", StandardCharsets.UTF_8);

  private record Client(ByteString prefix, ClientSink sink) {}

  private final Map<String, Client> clients = new LinkedHashMap<>();

  void add(String subscriptionId, ClientSink sink) {
    ByteString id = ByteString.fromString(JsonRpcCodec.quote(subscriptionId), StandardCharsets.UTF_8);
    clients.put(subscriptionId, new Client(START.concat(id).concat(RESULT), sink));
  }

  void remove(String subscriptionId) {
    clients.remove(subscriptionId);
  }

  boolean isEmpty() {
    return clients.isEmpty();
  }

  /** Sends the event (a JSON value, UTF-8) to every client; a client that cannot take it is forgotten. */
  void publish(ByteString result) {
    Iterator<Client> it = clients.values().iterator();
    while (it.hasNext()) {
      Client client = it.next();
      if (!client.sink().offer(client.prefix().concat(result).concat(END))) {
        it.remove(); // too slow: its connection is being closed
      }
    }
  }
}
