package io.riata.http.data.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Large replies off the wire: one whose start shows a result comes out as its start
 * ({@link StreamHead}) and the rest in parts, byte for byte; anything else comes out whole.
 */
class UpstreamDecoderPassThroughTest {

  private static final int ABOVE = 64 * 1024;
  private final UpstreamResponseDecoder decoder = new UpstreamResponseDecoder(1024, 1 << 20);
  private final EmbeddedChannel channel = new EmbeddedChannel(decoder);

  @AfterEach
  void releaseEverything() {
    channel.finishAndReleaseAll();
  }

  /** A reply of about {@code size} bytes: a result string of digits, or an error with a long message. */
  private static String reply(int size, boolean error) {
    StringBuilder text = new StringBuilder(size + 64);
    for (int i = 0; text.length() < size; i++) {
      text.append((char) ('0' + i % 10));
    }
    return error
        ? "{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":{\"code\":-32000,\"message\":\"" + text + "\"}}"
        : "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":\"" + text + "\"}";
  }

  private static String sized(String body) {
    return "HTTP/1.1 200 OK\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
  }

  private static String chunked(String body) {
    StringBuilder out = new StringBuilder("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int at = 0; at < body.length(); at += 10_000) {
      String chunk = body.substring(at, Math.min(body.length(), at + 10_000));
      out.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
    }
    return out.append("0\r\n\r\n").toString();
  }

  /** Feeds the wire bytes in pieces of {@code piece} bytes. */
  private void feed(String wire, int piece) {
    byte[] bytes = wire.getBytes(StandardCharsets.UTF_8);
    for (int at = 0; at < bytes.length; at += piece) {
      channel.writeInbound(Unpooled.wrappedBuffer(bytes, at, Math.min(piece, bytes.length - at)));
    }
  }

  /** The head and every part read back, joined; asserts the reply was passed through. */
  private String passedThrough(long expectedLength) {
    UpstreamResponseDecoder.Response head = channel.readInbound();
    StreamHead start = assertInstanceOf(StreamHead.class, head.body());
    assertEquals(expectedLength, start.contentLength());
    assertTrue(head.keepAlive());
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    append(all, start);
    start.start(new PassThrough.Sink() {
      @Override
      public void part(ByteBuf data, boolean last) {
        data.release();
      }

      @Override
      public void broken() {}
    }); // taken over: releasing the start closes nothing
    start.release();
    boolean ended = false;
    while (!ended) {
      Object msg = channel.readInbound();
      UpstreamResponseDecoder.Part part = assertInstanceOf(UpstreamResponseDecoder.Part.class, msg, "the reply's end is told");
      append(all, part.data());
      part.data().release();
      ended = part.last();
    }
    return all.toString(StandardCharsets.UTF_8);
  }

  private static void append(ByteArrayOutputStream out, ByteBuf buf) {
    byte[] bytes = new byte[buf.readableBytes()];
    buf.getBytes(buf.readerIndex(), bytes);
    out.writeBytes(bytes);
  }

  @ParameterizedTest(name = "in pieces of {0} bytes")
  @ValueSource(ints = {1 << 20, 16 * 1024, 1000})
  void aLargeResultWithALengthIsPassedThroughByteForByte(int piece) {
    decoder.passThroughAbove = ABOVE;
    String body = reply(300_000, false);
    feed(sized(body) + sized("{\"jsonrpc\":\"2.0\",\"id\":8,\"result\":\"0x1\"}"), piece);
    assertEquals(body, passedThroughThenNext(body.length()));
  }

  @ParameterizedTest(name = "in pieces of {0} bytes")
  @ValueSource(ints = {1 << 20, 16 * 1024, 1000})
  void aLargeChunkedResultIsPassedThroughOncePastTheThreshold(int piece) {
    decoder.passThroughAbove = ABOVE;
    String body = reply(300_000, false);
    feed(chunked(body) + sized("{\"jsonrpc\":\"2.0\",\"id\":8,\"result\":\"0x1\"}"), piece);
    assertEquals(body, passedThroughThenNext(-1));
  }

  /** The reply passed through, then the next one on the connection, whole. */
  private String passedThroughThenNext(long expectedLength) {
    String passed = passedThrough(expectedLength);
    UpstreamResponseDecoder.Response after = channel.readInbound();
    assertFalse(after.body() instanceof StreamHead, "the next reply, small, comes whole");
    assertEquals("{\"jsonrpc\":\"2.0\",\"id\":8,\"result\":\"0x1\"}", after.body().toString(StandardCharsets.UTF_8));
    after.body().release();
    return passed;
  }

  @Test
  void aLargeErrorIsHeldWhole() {
    decoder.passThroughAbove = ABOVE;
    String body = reply(300_000, true);
    feed(sized(body), 16 * 1024);
    UpstreamResponseDecoder.Response r = channel.readInbound();
    assertFalse(r.body() instanceof StreamHead, "an error's start is not a result");
    assertEquals(body.length(), r.body().readableBytes());
    r.body().release();
    assertNull(channel.readInbound());
  }

  @Test
  void aReplyAtOrBelowTheThresholdOrWithoutPassingIsHeldWhole() {
    decoder.passThroughAbove = ABOVE;
    String small = reply(ABOVE - 100, false);
    feed(sized(small), 4096);
    UpstreamResponseDecoder.Response r = channel.readInbound();
    assertFalse(r.body() instanceof StreamHead);
    r.body().release();
    decoder.passThroughAbove = Long.MAX_VALUE; // the exchange of a batch element or a WebSocket request
    String large = reply(300_000, false);
    feed(sized(large), 16 * 1024);
    r = channel.readInbound();
    assertFalse(r.body() instanceof StreamHead);
    assertEquals(large.length(), r.body().readableBytes());
    r.body().release();
  }

  @Test
  void aChunkedReplyPassedThroughStillEndsAtTheLimit() {
    decoder.passThroughAbove = ABOVE;
    String body = reply(1_200_000, false); // over the decoder's 1 MiB limit
    assertThrows(TooLongFrameException.class, () -> feed(chunked(body), 64 * 1024));
    UpstreamResponseDecoder.Response head = channel.readInbound();
    assertInstanceOf(StreamHead.class, head.body(), "it was passed through before the limit was reached");
    head.body().release();
  }
}
