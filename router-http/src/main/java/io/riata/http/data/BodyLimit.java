package io.riata.http.data;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Collects a request's body up to the body limit. A body declared larger ({@code Content-Length})
 * is refused before it is read, and one that grows larger (chunked) as soon as it does: HTTP 413
 * with a JSON-RPC error, and the connection is closed ({@link Lingering}) rather than the rest kept.
 */
final class BodyLimit extends HttpObjectAggregator {

  private final int limit;

  BodyLimit(int limit) {
    super(limit, true);
    this.limit = limit;
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    Lingering.answerAndClose(ctx, Responses.invalidRequest(oversized.protocolVersion(),
        HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request body exceeds the limit of " + limit + " bytes"));
  }
}
