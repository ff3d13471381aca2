package io.riata.http.data;

import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.buffer.Unpooled;
import io.netty.util.AsciiString;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Cross-origin calls from web pages to the RPC port: which origins may call, the answer to a
 * preflight, and the headers an allowed answer carries. No credentials are ever allowed, so
 * {@code *} is a safe answer for a public endpoint.
 */
final class Cors {

  private static final AsciiString ANY = AsciiString.cached("*");
  private static final AsciiString METHODS = AsciiString.cached("POST, OPTIONS");
  private static final AsciiString HEADERS = AsciiString.cached("Content-Type, Authorization");
  private static final AsciiString EXPOSED = AsciiString.cached(
      RoutingHeaders.PROVIDER + ", " + RoutingHeaders.ATTEMPTS + ", " + RoutingHeaders.ATTEMPT_LOG);

  private final boolean enabled;
  private final boolean anyOrigin;
  private final Set<String> origins;
  private final AsciiString maxAge;

  Cors(List<String> allowedOrigins, Duration maxAge) {
    this.enabled = !allowedOrigins.isEmpty();
    this.anyOrigin = allowedOrigins.contains("*");
    this.origins = Set.copyOf(allowedOrigins);
    this.maxAge = AsciiString.of(Long.toString(maxAge.toSeconds()));
  }

  /** Whether the request is a preflight ({@code OPTIONS} asking about a method). */
  static boolean isPreflight(HttpRequest request) {
    return request.method().equals(HttpMethod.OPTIONS)
        && request.headers().contains(HttpHeaderNames.ORIGIN)
        && request.headers().contains(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
  }

  /** The answer to a preflight: allowed, or without CORS headers (the browser then refuses). */
  FullHttpResponse preflight(HttpRequest request) {
    FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.NO_CONTENT,
        Unpooled.EMPTY_BUFFER);
    String origin = request.headers().get(HttpHeaderNames.ORIGIN);
    HttpHeaders h = response.headers();
    if (allow(origin, h)) {
      h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, METHODS);
      String asked = request.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS);
      h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, asked != null ? asked : HEADERS);
      h.set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, maxAge);
    }
    return response;
  }

  /** Adds what an answer to {@code origin} (the request's {@code Origin}, or null) needs. */
  void decorate(String origin, HttpHeaders headers) {
    if (headers.contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS)) {
      return; // a preflight answer, complete already
    }
    if (origin != null && allow(origin, headers)) {
      headers.set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSED);
    }
  }

  private boolean allow(String origin, HttpHeaders headers) {
    if (!enabled || origin == null) {
      return false;
    }
    if (anyOrigin) {
      headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, ANY);
      return true;
    }
    headers.add(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
    if (origins.contains(origin)) {
      headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
      return true;
    }
    return false;
  }
}
