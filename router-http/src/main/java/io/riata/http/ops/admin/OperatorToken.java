package io.riata.http.ops.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * The operator port's bearer token ({@code riata.http.admin.token}), the one rule for who may use
 * the admin API, the dashboard feed and, when configured so, {@code /metrics}.
 *
 * <p>A token is compared through SHA-256 digests with {@link MessageDigest#isEqual}, so neither its
 * content nor its length shows in the time taken. With no token configured everything is admitted
 * (the port then listens on loopback only).
 *
 * <p>The dashboard feed also accepts the token as a WebSocket subprotocol, because a browser cannot
 * set headers on a WebSocket and a token in the URL would end up in logs: the client offers
 * {@value #FEED_PROTOCOL} and {@value #TOKEN_PROTOCOL_PREFIX}{@code <base64url of the token, no
 * padding>}, and the server answers with {@value #FEED_PROTOCOL} only.
 */
public final class OperatorToken {

  /** The subprotocol the feed selects whenever a client offers it. */
  public static final String FEED_PROTOCOL = "riata-dashboard";
  /** Prefix of the subprotocol that carries the token to the feed. */
  public static final String TOKEN_PROTOCOL_PREFIX = "riata-token.";

  private final byte[] digest;

  private OperatorToken(byte[] digest) {
    this.digest = digest;
  }

  public static OperatorToken from(AdminSettings settings) {
    return new OperatorToken(settings.hasToken() ? sha256(settings.tokenBytes()) : null);
  }

  /** Whether a token is configured at all. */
  public boolean required() {
    return digest != null;
  }

  /** Whether an {@code Authorization} header value (null when absent) admits its request. */
  public boolean admits(String authorization) {
    return authorized(digest, authorization);
  }

  /**
   * Whether a dashboard feed upgrade is admitted: by its {@code Authorization} header when it has
   * one, otherwise by a {@value #TOKEN_PROTOCOL_PREFIX} subprotocol among those offered.
   */
  public boolean admitsFeed(String authorization, List<String> offeredProtocols) {
    if (digest == null) {
      return true;
    }
    if (authorization != null) {
      return admits(authorization);
    }
    byte[] presented = protocolToken(offeredProtocols);
    return presented != null && MessageDigest.isEqual(digest, sha256(presented));
  }

  /** Whether a feed upgrade brings a token at all (for the 401's challenge). */
  public static boolean presentsToken(String authorization, List<String> offeredProtocols) {
    return authorization != null || offeredProtocols.stream().anyMatch(p -> p.startsWith(TOKEN_PROTOCOL_PREFIX));
  }

  /** The 401 answer, problem JSON with a bearer challenge. */
  public HttpResponse refusal(boolean presented) {
    String challenge = presented
        ? "Bearer realm=\"riata-admin\", error=\"invalid_token\""
        : "Bearer realm=\"riata-admin\"";
    return AdminRoutes.problem(401, "unauthorized", "Unauthorized",
            presented ? "the bearer token is not the operator token"
                : "an Authorization: Bearer <token> header is required")
        .addHeader(RawHeader.create("WWW-Authenticate", challenge));
  }

  /** The token bytes of the first token subprotocol offered, or null (none, or not base64url). */
  static byte[] protocolToken(List<String> offeredProtocols) {
    for (String protocol : offeredProtocols) {
      if (protocol.startsWith(TOKEN_PROTOCOL_PREFIX)) {
        try {
          return Base64.getUrlDecoder().decode(protocol.substring(TOKEN_PROTOCOL_PREFIX.length()));
        } catch (IllegalArgumentException notBase64) {
          return null;
        }
      }
    }
    return null;
  }

  /** Whether the Authorization header carries the token; with no token configured, always. */
  static boolean authorized(byte[] tokenDigest, String authorization) {
    if (tokenDigest == null) {
      return true;
    }
    if (authorization == null || authorization.length() < 7
        || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] presented = sha256(authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8));
    return MessageDigest.isEqual(tokenDigest, presented);
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
