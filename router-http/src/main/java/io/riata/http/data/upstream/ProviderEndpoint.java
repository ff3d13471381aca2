package io.riata.http.data.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.riata.core.config.ProviderConfig;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SNIHostName;

/**
 * Where and how to send a provider its requests, worked out once: host, port, TLS, and the
 * request head up to {@code Content-Length} as ready bytes (request line, Host, content type,
 * user agent, the provider's own headers), shared by every request to it.
 */
final class ProviderEndpoint {

  final String id;
  final String host;
  final int port;
  final boolean tls;
  /** Sent as SNI on {@code https} connections; {@code null} for an IP literal. */
  final SNIHostName serverName;
  /**
   * Where request heads are allocated: direct (written to sockets without a copy), never released
   * by hand but freed by the garbage collector once the endpoint is gone (a reload), so not
   * tracked by Netty's leak detector.
   */
  private static final UnpooledByteBufAllocator HEADS = new UnpooledByteBufAllocator(true, true, false);

  /** {@code POST /path HTTP/1.1 ... Content-Length: }, read-only; write a duplicate. */
  private final ByteBuf head;

  ProviderEndpoint(ProviderConfig provider) {
    URI url = provider.httpUrl();
    String scheme = url.getScheme().toLowerCase(Locale.ROOT);
    this.id = provider.id();
    this.tls = scheme.equals("https");
    this.host = url.getHost();
    this.port = url.getPort() > 0 ? url.getPort() : tls ? 443 : 80;
    this.serverName = tls ? UpstreamTls.serverName(host) : null;
    String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
    if (url.getRawQuery() != null) {
      path += "?" + url.getRawQuery();
    }
    StringBuilder head = new StringBuilder(256)
        .append("POST ").append(path).append(" HTTP/1.1\r\n")
        .append("Host: ").append(hostHeader(url, tls)).append("\r\n")
        .append("Content-Type: application/json\r\n")
        .append("User-Agent: riata\r\n");
    for (Map.Entry<String, String> h : provider.headers().entrySet()) {
      head.append(checked(h.getKey(), h.getKey(), provider)).append(": ")
          .append(checked(h.getValue(), h.getKey(), provider)).append("\r\n");
    }
    head.append("Content-Length: ");
    this.head = Unpooled.unreleasableBuffer(
        HEADS.directBuffer(head.length()).writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1))
            .asReadOnly());
  }

  /**
   * What makes two configurations the same endpoint: id, URL and headers. (Ids are unique in a
   * {@code chains.yml}, but configurations built in code may reuse one on several chains.)
   */
  static String key(ProviderConfig provider) {
    return provider.id() + '\n' + provider.httpUrl() + '\n' + provider.headers();
  }

  ByteBuf head() {
    return head.duplicate();
  }

  private static String hostHeader(URI url, boolean tls) {
    String host = url.getHost();
    if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
      host = "[" + host + "]"; // an IPv6 literal
    }
    int port = url.getPort();
    return port < 0 || port == (tls ? 443 : 80) ? host : host + ":" + port;
  }

  /** Header names and values go out as they are: a line break in one would smuggle a header in. */
  private static String checked(String text, String header, ProviderConfig provider) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\r' || c == '\n' || c > 0xff) {
        // The value may be a key: only the header's name is said.
        throw new IllegalArgumentException("provider " + provider.id() + ": header " + header
            + " holds a line break or a character outside ISO-8859-1");
      }
    }
    return text;
  }
}
