package io.riata.http.dashboard;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A /ws/dashboard client: each text message lands in a queue, or is never read when {@code reading} is off. */
final class FeedClient implements WebSocket.Listener, AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
  final LinkedBlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();
  private final StringBuilder partial = new StringBuilder();
  private final boolean reading;
  final WebSocket socket;

  /** @param reading false: a client that never asks for a message, so the server's sends back up */
  FeedClient(int port, boolean reading) {
    this.reading = reading;
    this.socket = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
        .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws/dashboard"), this).join();
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

  String next(Duration timeout) throws InterruptedException {
    return received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    socket.abort();
  }
}
