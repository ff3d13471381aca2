package io.riata.http.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/**
 * A provider whose replies are one large result: a string of {@code size} letters, sent with a
 * Content-Length under {@code /sized} and chunked under {@code /chunked}; {@code eth_blockNumber}
 * gets a small answer. It counts what it wrote per request id and the writes that failed because
 * the node hung up. For the ITs of reply sizes.
 */
final class BigReplies implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] BLOCK = new byte[64 * 1024];

  static {
    for (int i = 0; i < BLOCK.length; i++) {
      BLOCK[i] = (byte) ('a' + i % 26);
    }
  }

  private final long size;
  private final HttpServer server;
  private final Map<Integer, AtomicLong> written = new ConcurrentHashMap<>();
  private final AtomicLong writtenInAll = new AtomicLong();
  private final AtomicLong brokenWrites = new AtomicLong();

  BigReplies(long size) throws IOException {
    if (size % BLOCK.length != 0) {
      throw new IllegalArgumentException("a whole number of 64 KiB blocks");
    }
    this.size = size;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", this::answer);
    server.start();
  }

  /** A chains.yml in {@code dir}: chain {@code big} (id 7, round robin) with providers {@code sized} and {@code chunked}. */
  Path chains(Path dir) throws IOException {
    String url = "http://127.0.0.1:" + server.getAddress().getPort();
    return Files.writeString(dir.resolve("chains.yml"),
        "chains:\n  big:\n    chain_id: 7\n    block_time: 1s\n    strategy: round-robin\n    providers:\n"
        + "      - id: sized\n        http_url: " + url + "/sized\n"
        + "      - id: chunked\n        http_url: " + url + "/chunked\n");
  }

  /**
   * One node in front of this provider: a JVM of its own with {@code javaOptions}, its files in
   * {@code target/<dirName>}, hedging off so that each read asks one provider.
   */
  RiataProcess startNode(String name, String dirName, List<String> javaOptions) throws Exception {
    Path dir = Files.createDirectories(Path.of("target", dirName));
    List<String> options = new ArrayList<>(javaOptions);
    options.add("-Driata.http.hedge.enabled=off");
    return RiataProcess.startCluster(name, 1, chains(dir), options, dir).get(0);
  }

  /** Letters of the result written so far for request {@code id}. */
  long written(int id) {
    return written.computeIfAbsent(id, i -> new AtomicLong()).get();
  }

  long writtenInAll() {
    return writtenInAll.get();
  }

  long brokenWrites() {
    return brokenWrites.get();
  }

  /** The CRC of the whole reply to request {@code id}, and its length. */
  long[] expected(int id) {
    CRC32 crc = new CRC32();
    byte[] head = head(id);
    crc.update(head);
    for (long sent = 0; sent < size; sent += BLOCK.length) {
      crc.update(BLOCK);
    }
    crc.update(new byte[] {'"', '}'});
    return new long[] {crc.getValue(), head.length + size + 2};
  }

  private static byte[] head(Object id) {
    return ("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":\"").getBytes(StandardCharsets.UTF_8);
  }

  private void answer(HttpExchange exchange) throws IOException {
    JsonNode request = JSON.readTree(exchange.getRequestBody().readAllBytes());
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    byte[] head = head(request.get("id"));
    if ("eth_blockNumber".equals(request.path("method").asText())) {
      byte[] body = (new String(head, StandardCharsets.UTF_8) + "0x10\"}").getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
      return;
    }
    AtomicLong count = written.computeIfAbsent(request.get("id").asInt(), id -> new AtomicLong());
    boolean chunked = exchange.getRequestURI().getPath().startsWith("/chunked");
    exchange.sendResponseHeaders(200, chunked ? 0 : head.length + size + 2);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(head);
      for (long sent = 0; sent < size; sent += BLOCK.length) {
        out.write(BLOCK);
        count.addAndGet(BLOCK.length);
        writtenInAll.addAndGet(BLOCK.length);
      }
      out.write(new byte[] {'"', '}'});
    } catch (IOException e) {
      brokenWrites.incrementAndGet(); // the node hung up
    } finally {
      exchange.close();
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
