package io.riata.http.data;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.riata.core.jsonrpc.JsonRpcCodec;
import io.riata.core.jsonrpc.JsonRpcErrors;

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

  static FullHttpResponse invalidRequest(HttpVersion version, HttpResponseStatus status, String message) {
    return error(version, status, JsonRpcErrors.INVALID_REQUEST, message);
  }

  static FullHttpResponse empty(HttpVersion version, HttpResponseStatus status) {
    FullHttpResponse response = new DefaultFullHttpResponse(version, status, Unpooled.EMPTY_BUFFER);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
    return response;
  }
}
