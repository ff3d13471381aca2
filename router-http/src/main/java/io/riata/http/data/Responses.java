package io.riata.http.data;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.riata.core.engine.Answer;
import io.riata.core.engine.Outcome;
import io.riata.core.jsonrpc.JsonRpcCodec;
import io.riata.core.jsonrpc.JsonRpcErrors;
import java.util.List;

/** The data plane's own HTTP answers, JSON-RPC error bodies included. */
final class Responses {

  private Responses() {}

  static FullHttpResponse json(HttpVersion version, HttpResponseStatus status, ByteBuf body) {
    FullHttpResponse response = new DefaultFullHttpResponse(version, status, body);
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    return response;
  }

  static FullHttpResponse json(HttpVersion version, HttpResponseStatus status, byte[] body) {
    return json(version, status, Unpooled.wrappedBuffer(body));
  }

  /** A JSON-RPC error from Riata itself, with {@code "id": null}. */
  static FullHttpResponse error(HttpVersion version, HttpResponseStatus status, int code, String message) {
    return json(version, status, JsonRpcCodec.errorResponse("null", code, message, null));
  }

  private static final byte[] SHED = JsonRpcCodec.errorResponse("null", JsonRpcErrors.NODE_OVERLOADED,
      "this node is behind on its requests; try again shortly", null);
  private static final String RETRY_AFTER = "1";

  /**
   * The answer to a request shed at intake because its event loop was behind: 503, Retry-After
   * and -32053 with {@code "id": null}, since the request was not read.
   */
  static FullHttpResponse shed(HttpVersion version) {
    FullHttpResponse response = json(version, HttpResponseStatus.SERVICE_UNAVAILABLE, Unpooled.wrappedBuffer(SHED));
    response.headers().set(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER);
    return response;
  }

  static FullHttpResponse invalidRequest(HttpVersion version, HttpResponseStatus status, String message) {
    return error(version, status, JsonRpcErrors.INVALID_REQUEST, message);
  }

  private static final ByteBuf OPEN = Unpooled.unreleasableBuffer(Unpooled.directBuffer(1).writeByte('[')).asReadOnly();
  private static final ByteBuf COMMA = Unpooled.unreleasableBuffer(Unpooled.directBuffer(1).writeByte(',')).asReadOnly();
  private static final ByteBuf CLOSE = Unpooled.unreleasableBuffer(Unpooled.directBuffer(1).writeByte(']')).asReadOnly();

  /**
   * The bytes of an answer that is not empty: the one part as it is, or the parts of a batch in
   * brackets, as a composite of their own buffers (a provider's reply is never copied).
   */
  static ByteBuf body(ByteBufAllocator alloc, Answer<ByteBuf> answer) {
    List<Outcome<ByteBuf>> parts = answer.parts();
    if (answer.single()) {
      return bytes(parts.get(0));
    }
    CompositeByteBuf batch = alloc.compositeBuffer(parts.size() * 2 + 1);
    batch.addComponent(true, OPEN.duplicate());
    for (int i = 0; i < parts.size(); i++) {
      if (i > 0) {
        batch.addComponent(true, COMMA.duplicate());
      }
      batch.addComponent(true, bytes(parts.get(i)));
    }
    return batch.addComponent(true, CLOSE.duplicate());
  }

  /** Gives back the provider bytes of an answer that will not be sent. */
  static void release(Answer<ByteBuf> answer) {
    for (Outcome<ByteBuf> part : answer.parts()) {
      if (part.body() != null) {
        part.body().release();
      }
    }
  }

  private static ByteBuf bytes(Outcome<ByteBuf> part) {
    return part.body() != null ? part.body() : Unpooled.wrappedBuffer(part.own());
  }

  static FullHttpResponse empty(HttpVersion version, HttpResponseStatus status) {
    FullHttpResponse response = new DefaultFullHttpResponse(version, status, Unpooled.EMPTY_BUFFER);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
    return response;
  }
}
