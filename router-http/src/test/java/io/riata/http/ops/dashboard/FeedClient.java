package io.riata.http.ops.dashboard;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A /ws/dashboard client on a node's operator port: each text message lands in a queue, or is never
 * read when {@code reading} is off.
 */
public final class FeedClient implements WebSocket.Listener, AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  public final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
  public final LinkedBlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();
  private final StringBuilder partial = new StringBuilder();
  private final boolean reading;
  final WebSocket socket;
  /** The close code the server sent, 1006 if the connection broke, -1 while open. */
  public volatile int closedWith = -1;

  /**
   * @param port    the node's operator port
   * @param reading false: a client that never asks for a message, so the server's sends back up
   */
  public FeedClient(int port, boolean reading) {
    this(port, reading, null, List.of());
  }

  /**
   * A client that sends an {@code Authorization} header (when not null) and offers these
   * subprotocols on the upgrade; a refused upgrade throws (a {@link WebSocketHandshakeException}
   * as the cause, with the server's answer).
   */
  public FeedClient(int port, boolean reading, String authorization, List<String> protocols) {
    this.reading = reading;
    WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
    if (authorization != null) {
      builder.header("Authorization", authorization);
    }
    if (!protocols.isEmpty()) {
      builder.subprotocols(protocols.get(0), protocols.subList(1, protocols.size()).toArray(String[]::new));
    }
    this.socket = builder.buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws/dashboard"), this).join();
  }

  /** The subprotocol the server selected, empty when none. */
  public String subprotocol() {
    return socket.getSubprotocol();
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    if (reading) {
      webSocket.request(1);
    }
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      arrivals.add(System.nanoTime());
      received.add(partial.toString());
      partial.setLength(0);
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closedWith = statusCode;
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closedWith = 1006;
  }

  public String next(Duration timeout) throws InterruptedException {
    return received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    socket.abort();
  }
}
