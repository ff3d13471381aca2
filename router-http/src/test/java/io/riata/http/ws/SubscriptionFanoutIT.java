package io.riata.http.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.riata.core.config.ChainConfig;
import io.riata.core.config.ProviderConfig;
import io.riata.http.RiataServer;
import io.riata.http.TestNodes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Subscription fan-out, measured: many clients subscribed to newHeads through one Riata node, one
 * provider pushing heads of realistic size fast. Reports notifications delivered per second and
 * the delay from the provider's push to the client's receipt (both in this JVM, so one clock),
 * and checks that every client got every head in order. Measures, does not judge the numbers.
 *
 * <p>Defaults are small, for CI. For the numbers in docs/benchmarks.md:
 * {@code mvn -pl router-http verify -Dtest=none -Dit.test=SubscriptionFanoutIT
 * -Dfanout.clients=1000 -Dfanout.interval-ms=10 -Dfanout.seconds=20}
 */
class SubscriptionFanoutIT {

  private static final int CLIENTS = Integer.getInteger("fanout.clients", 200);
  private static final Duration BLOCK = Duration.ofMillis(Integer.getInteger("fanout.interval-ms", 20));
  private static final Duration WINDOW = Duration.ofSeconds(Integer.getInteger("fanout.seconds", 5));
  /** About the size of a real mainnet header (its logs bloom alone is 512 hex digits). */
  private static final int HEADER_PADDING = 1000;

  /** One client that keeps only counts, order and delays, so a thousand of them stay small. */
  private static final class Counter implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();
    private final CountDownLatch subscribed = new CountDownLatch(1);
    private long count;
    private long last = -1;
    private long outOfOrder;
    private long[] delays = new long[1024];
    private int delayCount;
    private volatile boolean measuring;
    volatile int closedWith = -1;

    @Override
    public synchronized CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean lastPart) {
      partial.append(data);
      if (lastPart) {
        String text = partial.toString();
        partial.setLength(0);
        int at = text.indexOf("\"number\":\"0x");
        if (at < 0) {
          subscribed.countDown();
        } else {
          long number = Long.parseLong(text.substring(at + 12, text.indexOf('"', at + 12)), 16);
          if (last >= 0 && number != last + 1) {
            outOfOrder++;
          }
          last = number;
          count++;
          if (measuring) {
            int s = text.indexOf("\"sentAt\":\"") + 10;
            long delay = System.nanoTime() - Long.parseLong(text.substring(s, text.indexOf('"', s)));
            if (delayCount == delays.length) {
              delays = Arrays.copyOf(delays, delays.length * 2);
            }
            delays[delayCount++] = delay;
          }
        }
      }
      socket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
      closedWith = statusCode;
      return null;
    }

    @Override
    public void onError(WebSocket socket, Throwable error) {
      closedWith = 1006;
    }

    synchronized long count() {
      return count;
    }
  }

  @Test
  void fanOutToManyClients() throws Exception {
    try (HeadsSim sim = new HeadsSim("fan", BLOCK, System.nanoTime(), HEADER_PADDING)) {
      sim.stampSendTime = true;
      ProviderConfig provider = new ProviderConfig("fan", sim.httpUrl(), sim.wsUrl(), 1, 1, false, Set.of(), Set.of(),
          null, Map.of(), 64);
      RiataServer server = TestNodes.start(TestNodes.config(List.of(new ChainConfig("fan", 79, BLOCK, 50, "priority",
          100_000, List.of(provider))), List.of()), "");
      HttpClient http = HttpClient.newHttpClient();
      List<Counter> counters = new ArrayList<>();
      List<WebSocket> sockets = new ArrayList<>();
      try {
        URI uri = URI.create("ws://127.0.0.1:" + server.port() + "/ws/rpc/fan");
        for (int i = 0; i < CLIENTS; i++) {
          Counter counter = new Counter();
          WebSocket socket = http.newWebSocketBuilder().buildAsync(uri, counter).join();
          socket.sendText("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_subscribe\",\"params\":[\"newHeads\"]}", true);
          counters.add(counter);
          sockets.add(socket);
        }
        for (Counter c : counters) {
          assertTrue(c.subscribed.await(20, TimeUnit.SECONDS), "a client was never subscribed");
        }
        Thread.sleep(2000); // warm-up
        counters.forEach(c -> c.measuring = true);
        long[] before = counters.stream().mapToLong(Counter::count).toArray();
        long start = System.nanoTime();
        Thread.sleep(WINDOW.toMillis());
        long elapsed = System.nanoTime() - start;
        counters.forEach(c -> c.measuring = false);
        long delivered = 0;
        for (int i = 0; i < CLIENTS; i++) {
          delivered += counters.get(i).count() - before[i];
        }

        long[] delays = counters.stream().flatMapToLong(c -> {
          synchronized (c) {
            return Arrays.stream(c.delays, 0, c.delayCount);
          }
        }).sorted().toArray();
        double perSecond = delivered / (elapsed / 1e9);
        System.out.printf("fan-out: %d clients x %.0f heads/s (%d-byte heads): %.0f notifications/s delivered;"
                + " push-to-client delay p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
            CLIENTS, 1e9 / BLOCK.toNanos(), sim.header(1).length() + HEADER_PADDING, perSecond,
            percentile(delays, 0.50), percentile(delays, 0.99), percentile(delays, 1.0));
        for (int i = 0; i < CLIENTS; i++) {
          Counter c = counters.get(i);
          assertEquals(-1, c.closedWith, "client " + i + " was disconnected");
          synchronized (c) {
            assertEquals(0, c.outOfOrder, "client " + i + " saw heads out of order or missing");
            assertTrue(c.count > 0, "client " + i + " got nothing");
          }
        }
      } finally {
        sockets.forEach(WebSocket::abort);
        server.close();
      }
    }
  }

  private static double percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
    return sorted[Math.max(0, index)] / 1e6;
  }
}
