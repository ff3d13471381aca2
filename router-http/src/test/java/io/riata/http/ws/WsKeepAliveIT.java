package io.riata.http.ws;

import static io.riata.http.TestNodes.call;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.riata.http.RiataServer;
import io.riata.http.TestNodes;
import io.riata.http.sim.SimSettings;
import io.riata.http.sim.SimulatedProvider;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keep-alive and idle timeout on real sockets, with the timings shortened: pings every 300 ms, idle
 * after 2 s. A client that answers pings stays connected while silent; one that is hung (it never
 * reads its pings, let alone answers them) is closed with 1001.
 */
class WsKeepAliveIT {

  private static SimulatedProvider provider;
  private static RiataServer server;

  @BeforeAll
  static void start() throws Exception {
    provider = SimulatedProvider.start(SimSettings.healthy("k1", 5));
    server = TestNodes.start(TestNodes.config(List.of(TestNodes.chain("alpha", 5, "priority", List.of(
            TestNodes.provider("k1", provider.httpUrl(), 1)))), List.of()),
        "riata.http.websocket.idle-timeout = 2s\n"
            + "riata.http.websocket.ping-interval = 300ms");
  }

  @AfterAll
  static void stop() {
    server.close();
    provider.close();
  }

  @Test
  void aClientThatAnswersPingsStaysWhileSilent() throws Exception {
    try (WsTestClient c = new WsTestClient(server, "/ws/rpc/alpha")) {
      Thread.sleep(4000); // twice the idle timeout without a message; the JDK client pongs
      assertEquals(-1, c.closedWith);
      c.send(call("eth_chainId", "[]", 1));
      assertEquals(1, c.next().get("id").asInt());
    }
  }

  @Test
  void aHungClientIsClosedWith1001() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET /ws/rpc/alpha HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: cmlhdGEta2VlcC1hbGl2ZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      String status = readLine(in);
      assertTrue(status.startsWith("HTTP/1.1 101"), status);
      while (!readLine(in).isEmpty()) {
        // the rest of the handshake's headers
      }
      long start = System.nanoTime();
      int pings = 0;
      while (true) { // read the server's frames, answer none of them
        int opcode = in.readUnsignedByte() & 0x0f;
        int length = in.readUnsignedByte() & 0x7f;
        byte[] payload = new byte[length];
        in.readFully(payload);
        if (opcode == 0x9) {
          pings++;
        } else if (opcode == 0x8) {
          int code = ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
          long after = (System.nanoTime() - start) / 1_000_000;
          assertEquals(1001, code, new String(payload, 2, length - 2, StandardCharsets.UTF_8));
          assertTrue(pings >= 2, "pings before the close: " + pings);
          assertTrue(after >= 1900, "closed after " + after + " ms, before the idle timeout");
          return;
        }
      }
    }
  }

  private static String readLine(DataInputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) != '\n') {
      if (c < 0) {
        throw new IOException("connection closed in the handshake");
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }
}
