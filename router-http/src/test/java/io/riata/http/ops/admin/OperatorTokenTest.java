package io.riata.http.ops.admin;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Who the operator token admits to the dashboard feed: by header or by subprotocol. */
class OperatorTokenTest {

  private static final OperatorToken GUARDED = token("s3cret-tøken");
  private static final OperatorToken OPEN = token("");

  private static OperatorToken token(String value) {
    return OperatorToken.from(AdminSettings.from(ConfigFactory.parseString(
        "riata.http.admin.token = \"" + value + "\"").withFallback(ConfigFactory.defaultReference())));
  }

  private static String protocol(String token) {
    return "riata-token." + Base64.getUrlEncoder().withoutPadding().encodeToString(token.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theFeedTakesTheTokenAsABearerHeader() {
    assertTrue(GUARDED.admitsFeed("Bearer s3cret-tøken", List.of()));
    assertFalse(GUARDED.admitsFeed("Bearer s3cret-token", List.of()));
  }

  @Test
  void theFeedTakesTheTokenAsABase64UrlSubprotocolWithoutPadding() {
    assertTrue(GUARDED.admitsFeed(null, List.of("riata-dashboard", protocol("s3cret-tøken"))));
    assertTrue(GUARDED.admitsFeed(null, List.of(protocol("s3cret-tøken"), "riata-dashboard")));
    assertFalse(GUARDED.admitsFeed(null, List.of("riata-dashboard", protocol("s3cret-tøken2"))));
    assertFalse(GUARDED.admitsFeed(null, List.of("riata-dashboard", "riata-token.s3cret-tøken")), "not base64url");
    assertFalse(GUARDED.admitsFeed(null, List.of("riata-dashboard", "riata-token.%%%")), "not base64url");
    assertFalse(GUARDED.admitsFeed(null, List.of("riata-dashboard")));
    assertFalse(GUARDED.admitsFeed(null, List.of()));
  }

  @Test
  void aHeaderDecidesOverASubprotocol() {
    assertFalse(GUARDED.admitsFeed("Bearer wrong", List.of("riata-dashboard", protocol("s3cret-tøken"))));
    assertTrue(GUARDED.admitsFeed("Bearer s3cret-tøken", List.of("riata-dashboard", protocol("wrong"))));
  }

  @Test
  void withoutATokenConfiguredTheFeedAdmitsEveryone() {
    assertFalse(OPEN.required());
    assertTrue(OPEN.admitsFeed(null, List.of()));
    assertTrue(OPEN.admitsFeed("Bearer anything", List.of("riata-dashboard", protocol("anything"))));
    assertTrue(GUARDED.required());
  }

  @Test
  void aTokenIsPresentedByAHeaderOrATokenSubprotocol() {
    assertTrue(OperatorToken.presentsToken("Bearer x", List.of()));
    assertTrue(OperatorToken.presentsToken(null, List.of("riata-dashboard", "riata-token.eA")));
    assertFalse(OperatorToken.presentsToken(null, List.of("riata-dashboard")));
  }

  @Test
  void metricsRequireTokenIsOffByDefault() {
    assertFalse(AdminSettings.from(ConfigFactory.defaultReference()).metricsRequireToken());
    assertTrue(AdminSettings.from(ConfigFactory.parseString("riata.http.admin.metrics-require-token = on")
        .withFallback(ConfigFactory.defaultReference())).metricsRequireToken());
  }
}
