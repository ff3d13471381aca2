package io.riata.http.ws;

import static io.riata.http.TestNodes.json;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.riata.http.RiataServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A client socket whose incoming text messages land in a queue. */
final class WsTestClient implements WebSocket.Listener, AutoCloseable {
  final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
  /** When each message of {@link #received} arrived ({@code System.nanoTime()}), in the same order. */
  final LinkedBlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();
  private final StringBuilder partial = new StringBuilder();
  final WebSocket socket;
  /** Set to stop reading, like a client that hangs: the socket's buffers fill up. */
  volatile boolean paused;
  /** The close code the server sent, or -1; or 1006 when the connection broke without one. */
  volatile int closedWith = -1;
  volatile String closeReason = "";

  WsTestClient(RiataServer server, String path) {
    this(URI.create("ws://127.0.0.1:" + server.port() + path));
  }

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  WsTestClient(URI uri) {
    socket = HTTP.newWebSocketBuilder()
        .connectTimeout(Duration.ofSeconds(5))
        .buildAsync(uri, this)
        .join();
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      arrivals.add(System.nanoTime());
      received.add(partial.toString());
      partial.setLength(0);
    }
    if (!paused) {
      webSocket.request(1);
    }
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closeReason = reason;
    closedWith = statusCode;
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closedWith = 1006;
  }

  void send(String text) {
    socket.sendText(text, true).join();
  }

  JsonNode next() throws InterruptedException {
    String text = received.poll(10, TimeUnit.SECONDS);
    assertTrue(text != null, "no answer within 10 s");
    arrivals.poll();
    return json(text);
  }

  /** Waits until the server has closed the connection (or it broke), at most {@code limit}. */
  void awaitClose(Duration limit) throws InterruptedException {
    long until = System.nanoTime() + limit.toNanos();
    while (closedWith < 0 && System.nanoTime() < until) {
      Thread.sleep(20);
    }
    assertTrue(closedWith >= 0, "the connection is still open after " + limit);
  }

  @Override
  public void close() {
    if (closedWith < 0 && !socket.isOutputClosed()) {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
    }
  }
}
