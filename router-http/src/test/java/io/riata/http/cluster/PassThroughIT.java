package io.riata.http.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Replies larger than the node's memory pass through it: a node JVM with 96 MiB of heap and 32 MiB
 * of direct memory serves 48 MiB results (with a Content-Length and chunked) byte for byte, several
 * at once; a client that stops reading stops the provider's writing; a client that leaves mid-reply
 * gets the provider's connection closed. A node that held a reply whole could not hold one.
 */
class PassThroughIT {

  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final int SIZE = 48 << 20;
  private static BigReplies provider;
  private static RiataProcess node;

  @BeforeAll
  static void start() throws Exception {
    provider = new BigReplies(SIZE);
    node = provider.startNode("through", "pass-through-it", List.of("-Xmx96m", "-XX:MaxDirectMemorySize=32m",
        "-Driata.http.upstream.max-response-size=" + (128 << 20)));
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) {
      node.close();
    }
    provider.close();
  }

  private static String call(int id) {
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"debug_traceBlockByNumber\",\"params\":[\"0x10\"]}";
  }

  @Test
  void repliesLargerThanTheNodesMemoryArriveWholeAndUnchanged() throws Exception {
    List<CompletableFuture<HttpResponse<InputStream>>> pending = new ArrayList<>();
    for (int id = 1; id <= 4; id++) {
      // Round robin alternates the two providers: both kinds of framing are hit, two of each at once.
      pending.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + "/rpc/big"))
          .header("Content-Type", "application/json").timeout(Duration.ofSeconds(90))
          .POST(HttpRequest.BodyPublishers.ofString(call(id))).build(), HttpResponse.BodyHandlers.ofInputStream()));
    }
    List<String> providers = new ArrayList<>();
    for (int id = 1; id <= 4; id++) {
      HttpResponse<InputStream> r = pending.get(id - 1).get();
      assertEquals(200, r.statusCode());
      String by = r.headers().firstValue("X-Riata-Provider").orElseThrow();
      providers.add(by);
      long[] want = provider.expected(id);
      CRC32 crc = new CRC32();
      long length = 0;
      try (InputStream in = r.body()) {
        byte[] buf = new byte[256 * 1024];
        for (int n; (n = in.read(buf)) > 0; ) {
          crc.update(buf, 0, n);
          length += n;
        }
      }
      assertEquals(want[1], length, "the whole reply from " + by);
      assertEquals(want[0], crc.getValue(), "the reply from " + by + " byte for byte");
      if (by.equals("sized")) {
        assertEquals(String.valueOf(want[1]), r.headers().firstValue("Content-Length").orElse("none"));
      } else {
        assertEquals("none", r.headers().firstValue("Content-Length").orElse("none"), "chunked on to the client");
      }
    }
    assertTrue(providers.contains("sized") && providers.contains("chunked"), providers.toString());
    // The exporter copies the counters in once a second.
    double passed = -1;
    for (long until = System.nanoTime() + 10_000_000_000L; passed < 4 && System.nanoTime() < until; Thread.sleep(200)) {
      passed = metric("riata_replies_passed_through_total");
    }
    assertTrue(passed >= 4, "counted in the metrics: " + passed);
    assertEquals(200, node.readyStatus());
  }

  @Test
  void aClientThatStopsReadingStopsTheProviderAndThenGetsItAll() throws Exception {
    int id = 100;
    try (Socket client = rawRequest(id)) {
      InputStream in = client.getInputStream();
      byte[] buf = new byte[64 * 1024];
      long read = 0;
      while (read < (1 << 20)) {
        read += in.read(buf);
      }
      // Stop reading: what the provider can write is what the socket buffers on the way hold.
      long before;
      long after = provider.written(id);
      do {
        before = after;
        Thread.sleep(1000);
        after = provider.written(id);
      } while (after != before);
      System.out.printf("a client paused after 1 MiB: the provider stopped after %d MiB of %d%n", after >> 20, SIZE >> 20);
      assertTrue(after < SIZE - (8 << 20), "the provider was held back: " + (after >> 20) + " MiB written");
      for (int n; (n = in.read(buf)) > 0; ) {
        read += n;
      }
      assertTrue(read > SIZE, "then the rest came: " + read + " bytes");
      assertEquals(SIZE, provider.written(id), "the provider wrote it all");
    }
  }

  @Test
  void aClientThatLeavesMidReplyGetsTheProvidersConnectionClosed() throws Exception {
    long broken = provider.brokenWrites();
    try (Socket client = rawRequest(200)) {
      InputStream in = client.getInputStream();
      byte[] buf = new byte[64 * 1024];
      long read = 0;
      while (read < (1 << 20)) {
        read += in.read(buf);
      }
    }
    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (provider.brokenWrites() == broken && System.nanoTime() < until) {
      Thread.sleep(50);
    }
    assertEquals(broken + 1, provider.brokenWrites(), "the provider's write failed: the node closed its connection");
    assertTrue(provider.written(200) < SIZE, "before the reply's end");
  }

  /** A request over a plain socket (HTTP/1.1, Connection: close), its answer left to the caller to read. */
  private static Socket rawRequest(int id) throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), node.httpPort);
    s.setReceiveBufferSize(64 * 1024);
    byte[] body = call(id).getBytes(StandardCharsets.UTF_8);
    String head = "POST /rpc/big HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nConnection: close\r\n"
        + "Content-Length: " + body.length + "\r\n\r\n";
    s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().write(body);
    s.getOutputStream().flush();
    return s;
  }

  private static double metric(String series) throws Exception {
    String text = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.operatorPort + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    return text.lines().filter(l -> l.startsWith(series + " ") || l.startsWith(series + "{"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).max().orElse(-1);
  }
}
