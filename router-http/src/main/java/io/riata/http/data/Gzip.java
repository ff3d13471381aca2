package io.riata.http.data;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.GZIPOutputStream;

/**
 * gzip for answers worth it: the client said it accepts gzip and the answer is at least
 * {@value #THRESHOLD} bytes. Decided per answer here rather than by a codec in the pipeline, so the
 * many small answers pay nothing.
 */
final class Gzip {

  static final int THRESHOLD = 1024;

  private Gzip() {}

  static boolean accepted(HttpRequest request) {
    String accept = request.headers().get(HttpHeaderNames.ACCEPT_ENCODING);
    return accept != null && accept.contains("gzip");
  }

  /** The body, compressed when it is worth it (then the headers say so and the original is released). */
  static ByteBuf maybe(boolean accepted, ByteBuf body, HttpHeaders headers, ByteBufAllocator alloc) {
    if (!accepted || body.readableBytes() < THRESHOLD) {
      return body;
    }
    ByteBuf out = alloc.buffer(body.readableBytes() / 3 + 64);
    try (GZIPOutputStream gzip = new GZIPOutputStream(new ByteBufOutputStream(out), 8192)) {
      body.readBytes(gzip, body.readableBytes());
    } catch (IOException e) {
      out.release();
      throw new UncheckedIOException(e);
    } finally {
      body.release();
    }
    headers.set(HttpHeaderNames.CONTENT_ENCODING, HttpHeaderValues.GZIP);
    headers.setInt(HttpHeaderNames.CONTENT_LENGTH, out.readableBytes());
    return out;
  }
}
