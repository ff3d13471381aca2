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
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.riata.core.engine.TransportFailure;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Providers' answers as they come off the wire, in one piece or a byte at a time. */
class UpstreamResponseDecoderTest {

  private final EmbeddedChannel channel = new EmbeddedChannel(new UpstreamResponseDecoder(1024, 4096));
  private final List<UpstreamResponseDecoder.Response> taken = new ArrayList<>();

  @AfterEach
  void releaseEverything() {
    for (UpstreamResponseDecoder.Response r : taken) {
      r.body().release(); // each body is its taker's to release, once
    }
    channel.finishAndReleaseAll();
  }

  private void feed(String text, boolean byteByByte) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (byteByByte) {
      for (byte b : bytes) {
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
      }
    } else {
      channel.writeInbound(Unpooled.wrappedBuffer(bytes));
    }
  }

  private UpstreamResponseDecoder.Response next() {
    UpstreamResponseDecoder.Response r = channel.readInbound();
    if (r != null) {
      taken.add(r);
    }
    return r;
  }

  private static String text(ByteBuf body) {
    return body.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aFixedLengthAnswerInOnePieceOrByteByByte() {
    String answer = "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: application/json\r\nContent-Length: 39\r\n\r\n"
        + "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}";
    for (boolean byByte : new boolean[] {false, true}) {
      feed(answer, byByte);
      UpstreamResponseDecoder.Response r = next();
      assertEquals(200, r.status());
      assertTrue(r.keepAlive());
      assertNull(r.retryAfter());
      assertEquals("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}", text(r.body()));
    }
  }

  @Test
  void twoAnswersInOneReadAreTwoResponses() {
    feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}HTTP/1.1 503 Service Unavailable\r\ncontent-length: 3\r\n\r\nbad", false);
    assertEquals("{}", text(next().body()));
    UpstreamResponseDecoder.Response second = next();
    assertEquals(503, second.status());
    assertEquals("bad", text(second.body()));
  }

  @Test
  void aChunkedAnswerIsJoinedWithExtensionsAndTrailersSkipped() {
    String answer = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "5;name=value\r\n{\"a\":\r\n3\r\n1,\"\r\nB\r\nb\":[1,2,3]}\r\n0\r\nX-Trailer: yes\r\n\r\n";
    for (boolean byByte : new boolean[] {false, true}) {
      feed(answer, byByte);
      assertEquals("{\"a\":1,\"b\":[1,2,3]}", text(next().body()));
    }
  }

  @Test
  void headersAreReadWhateverTheirCase() {
    feed("HTTP/1.1 429 Too Many Requests\r\nRETRY-after:  7 \r\nCONNECTION: Close\r\ncontent-LENGTH: 0\r\n\r\n", false);
    UpstreamResponseDecoder.Response r = next();
    assertEquals(429, r.status());
    assertEquals("7", r.retryAfter());
    assertFalse(r.keepAlive());
    assertEquals(0, r.body().readableBytes());
  }

  @Test
  void http10ClosesUnlessToldToKeepAlive() {
    feed("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n1", false);
    assertFalse(next().keepAlive());
    feed("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\n1", false);
    assertTrue(next().keepAlive());
  }

  @Test
  void aBodyWithoutALengthEndsWithTheConnection() {
    feed("HTTP/1.1 200 OK\r\n\r\n{\"jsonrpc\":", false);
    feed("\"2.0\"}", false);
    assertNull(next());
    channel.finish();
    UpstreamResponseDecoder.Response r = next();
    assertEquals("{\"jsonrpc\":\"2.0\"}", text(r.body()));
    assertFalse(r.keepAlive());
  }

  @Test
  void interimAnswersAreSkipped() {
    feed("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false);
    UpstreamResponseDecoder.Response r = next();
    assertEquals(200, r.status());
    assertEquals("ok", text(r.body()));
  }

  @Test
  void noContentHasAnEmptyBody() {
    feed("HTTP/1.1 204 No Content\r\n\r\n", false);
    assertEquals(0, next().body().readableBytes());
  }

  @Test
  void aBodyDeclaredTooLargeIsRefusedBeforeItArrives() {
    DecoderException e = assertThrows(DecoderException.class,
        () -> feed("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n", false));
    assertInstanceOf(TooLongFrameException.class, e.getCause() == null ? e : e.getCause() instanceof TooLongFrameException ? e.getCause() : e);
    assertEquals(TransportFailure.REPLY_TOO_LARGE, Exchange.failureOf(e));
  }

  @Test
  void aChunkedBodyThatGrowsTooLargeIsRefused() {
    StringBuilder chunks = new StringBuilder("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 5; i++) {
      chunks.append("3E8\r\n").append("x".repeat(1000)).append("\r\n");
    }
    DecoderException e = assertThrows(DecoderException.class, () -> feed(chunks.toString(), false));
    assertEquals(TransportFailure.REPLY_TOO_LARGE, Exchange.failureOf(e));
  }

  @Test
  void headersTooLargeOrGarbageAreMalformed() {
    DecoderException big = assertThrows(DecoderException.class,
        () -> feed("HTTP/1.1 200 OK\r\nX-Filler: " + "f".repeat(2000) + "\r\n\r\n", false));
    assertTrue(big instanceof TooLongHttpHeaderException || big.getCause() instanceof TooLongHttpHeaderException, big.toString());
    assertEquals(TransportFailure.MALFORMED_HTTP, Exchange.failureOf(big));
  }

  @Test
  void somethingThatIsNotHttpIsMalformed() {
    for (String garbage : new String[] {"SSH-2.0-OpenSSH_9.6\r\n", "HTTP/1.1 2x0 OK\r\n", "HTTP/1.1 200 OK\n\n",
        "HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"}) {
      EmbeddedChannel fresh = new EmbeddedChannel(new UpstreamResponseDecoder(1024, 4096));
      DecoderException e = assertThrows(DecoderException.class,
          () -> fresh.writeInbound(Unpooled.copiedBuffer(garbage, StandardCharsets.US_ASCII)), garbage);
      assertEquals(TransportFailure.MALFORMED_HTTP, Exchange.failureOf(e), garbage);
      fresh.finishAndReleaseAll();
    }
  }
}
