package io.riata.http.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.riata.http.TestNodes;
import io.riata.http.sim.SimSettings;
import io.riata.http.sim.SimulatedProvider;
import io.riata.http.sim.SimulatedSockets;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One node in front of a provider whose chain makes a block every 5 ms (heads pushed over its
 * WebSocket): three subscribers to {@code newHeads} read everything, a fourth stops reading (its
 * socket's receive buffer is 4 KiB, so the kernel cannot hide the backlog). The node should close
 * the slow one (1008) and the others should see every head once, in order.
 */
final class SlowSubscriber {

  private static final String CHAIN = "fast";
  private static final long CHAIN_ID = 7_708;

  private final Path jar;
  private final Path dir;
  private final Duration stall;

  SlowSubscriber(Path jar, Path dir, Duration stall) {
    this.jar = jar;
    this.dir = dir;
    this.stall = stall;
  }

  Row run() throws Exception {
    try (SimulatedProvider sim = SimulatedProvider.start(SimSettings.healthy("f1", CHAIN_ID)
             .withBlockTime(Duration.ofMillis(5)));
         SimulatedSockets sockets = new SimulatedSockets()) {
      URI ws = sockets.open(sim);
      Path chains = dir.resolve("ws-chains.yml");
      Files.writeString(chains, "chains:\n  " + CHAIN + ":\n    chain_id: " + CHAIN_ID + "\n    block_time: 5ms\n"
          + "    providers:\n      - id: f1\n        http_url: " + sim.httpUrl() + "\n        ws_url: " + ws + "\n");
      try (ChaosNode node = new ChaosNode("ws-1", jar, chains, ChaosNode.freePort(), Map.of("RIATA_SEED_NODES", ""), dir)) {
        node.start();
        node.awaitReady(Duration.ofSeconds(120));
        URI endpoint = URI.create("ws://127.0.0.1:" + node.httpPort + "/ws/rpc/" + CHAIN);
        List<Subscriber> healthy = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          healthy.add(Subscriber.open(endpoint, i));
        }
        try (Socket slow = new Socket()) {
          slow.setReceiveBufferSize(4096);
          slow.connect(new InetSocketAddress("127.0.0.1", node.httpPort), 2000);
          slow.setSoTimeout(10_000);
          OutputStream out = slow.getOutputStream();
          DataInputStream in = new DataInputStream(slow.getInputStream());
          out.write(("GET /ws/rpc/" + CHAIN + " HTTP/1.1\r\nHost: 127.0.0.1:" + node.httpPort
              + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
              + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
          String status = readHeaders(in);
          if (!status.contains(" 101 ")) {
            throw new IOException("upgrade refused: " + status);
          }
          writeText(out, TestNodes.call("eth_subscribe", "[\"newHeads\"]", 99));
          int before = 0;
          while (before < 20) {
            Frame f = Frame.read(in);
            if (f.opcode() == 1 && f.text().contains("eth_subscription")) {
              before++;
            }
          }
          Thread.sleep(1000);
          long heapBefore = node.heapAfterGcKib();
          Thread.sleep(stall.toMillis());
          long heapAfter = node.heapAfterGcKib();
          // Read again: the backlog the kernel held, then the close frame if the node sent one.
          int backlog = 0;
          int closeCode = -1;
          String ending = "still open after 20 s of reading (the node had not closed it)";
          long drainUntil = System.nanoTime() + Duration.ofSeconds(20).toNanos();
          try {
            while (System.nanoTime() < drainUntil) {
              Frame f = Frame.read(in);
              if (f.opcode() == 8) {
                closeCode = f.payload().length >= 2 ? ((f.payload()[0] & 0xff) << 8) | (f.payload()[1] & 0xff) : 1005;
                ending = "closed with " + closeCode;
                break;
              }
              if (f.opcode() == 1) {
                backlog++;
              }
            }
          } catch (SocketTimeoutException e) {
            ending = "open but silent for 10 s";
          } catch (IOException e) {
            ending = "connection dropped without a close frame (" + e.getClass().getSimpleName() + ")";
          }
          long gaps = 0;
          long duplicates = 0;
          long heads = 0;
          for (Subscriber s : healthy) {
            s.close();
            gaps += s.gaps.get();
            duplicates += s.duplicates.get();
            heads += s.heads.get();
          }
          String notes = String.format(Locale.ROOT,
              "the slow client stopped reading for %s, then read %d heads and found the connection %s; "
                  + "3 healthy subscribers got %d heads, %d gaps, %d repeats; node heap after GC %d MiB before the stall, %d MiB at its end",
              Row.seconds(stall.toNanos()), backlog, ending, heads, gaps, duplicates, heapBefore / 1024, heapAfter / 1024);
          return new Row("slow-subscriber", "newHeads at 200 blocks/s, one of 4 subscribers stops reading",
              Row.NONE, Row.NONE, Row.NONE, Row.NONE, closeCode == 1008 ? "closed (1008)" : ending,
              Row.NONE, Row.NONE, notes);
        } finally {
          for (Subscriber s : healthy) {
            s.close();
          }
        }
      }
    }
  }

  private static String readHeaders(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed during the upgrade: " + head);
      }
      head.append((char) b);
    }
    return head.toString();
  }

  /** A masked text frame, as a client must send. */
  private static void writeText(OutputStream out, String text) throws IOException {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    byte[] mask = {1, 2, 3, 4};
    out.write(0x81);
    if (payload.length < 126) {
      out.write(0x80 | payload.length);
    } else {
      out.write(0x80 | 126);
      out.write(payload.length >> 8);
      out.write(payload.length & 0xff);
    }
    out.write(mask);
    for (int i = 0; i < payload.length; i++) {
      out.write(payload[i] ^ mask[i % 4]);
    }
    out.flush();
  }

  private record Frame(int opcode, byte[] payload) {
    static Frame read(DataInputStream in) throws IOException {
      int b0 = in.readUnsignedByte();
      int b1 = in.readUnsignedByte();
      long length = b1 & 0x7f;
      if (length == 126) {
        length = in.readUnsignedShort();
      } else if (length == 127) {
        length = in.readLong();
      }
      byte[] mask = (b1 & 0x80) != 0 ? in.readNBytes(4) : null;
      byte[] payload = new byte[(int) length];
      in.readFully(payload);
      if (mask != null) {
        for (int i = 0; i < payload.length; i++) {
          payload[i] ^= mask[i % 4];
        }
      }
      return new Frame(b0 & 0x0f, payload);
    }

    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }
  }

  /** A subscriber that reads everything and checks that block numbers go up by one. */
  private static final class Subscriber implements WebSocket.Listener {
    final AtomicLong heads = new AtomicLong();
    final AtomicLong gaps = new AtomicLong();
    final AtomicLong duplicates = new AtomicLong();
    private final StringBuilder partial = new StringBuilder();
    private long last = -1;
    private WebSocket socket;

    static Subscriber open(URI endpoint, int id) throws Exception {
      Subscriber s = new Subscriber();
      s.socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(endpoint, s).get(10, TimeUnit.SECONDS);
      s.socket.sendText(TestNodes.call("eth_subscribe", "[\"newHeads\"]", id), true).get(10, TimeUnit.SECONDS);
      return s;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean lastPart) {
      partial.append(data);
      if (lastPart) {
        JsonNode message = TestNodes.json(partial.toString());
        partial.setLength(0);
        JsonNode number = message.path("params").path("result").path("number");
        if (number.isTextual()) {
          long n = Long.decode(number.asText());
          heads.incrementAndGet();
          if (last >= 0 && n <= last) {
            duplicates.incrementAndGet();
          } else if (last >= 0 && n != last + 1) {
            gaps.incrementAndGet();
          }
          last = Math.max(last, n);
        }
      }
      webSocket.request(1);
      return null;
    }

    void close() {
      if (socket != null && !socket.isOutputClosed()) {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
      }
      if (socket != null) {
        socket.abort();
      }
    }
  }
}
