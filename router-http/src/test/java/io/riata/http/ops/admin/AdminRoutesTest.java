package io.riata.http.ops.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The parts of the admin API that need no server: token check, bind address, problem JSON. */
class AdminRoutesTest {

  private static final byte[] TOKEN = OperatorToken.sha256("s3cret-token".getBytes(StandardCharsets.UTF_8));

  @Test
  void acceptsTheRightTokenWhateverTheSchemeCase() {
    assertTrue(OperatorToken.authorized(TOKEN, "Bearer s3cret-token"));
    assertTrue(OperatorToken.authorized(TOKEN, "bearer s3cret-token"));
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(strings = {"", "Bearer", "Bearer ", "Bearer s3cret-toke", "Bearer s3cret-token2",
      "Basic s3cret-token", "s3cret-token", "Bearer S3CRET-TOKEN"})
  void rejectsMissingMalformedAndWrongTokens(String header) {
    assertFalse(OperatorToken.authorized(TOKEN, header));
  }

  @Test
  void withNoTokenConfiguredEveryRequestPasses() {
    assertTrue(OperatorToken.authorized(null, null));
    assertTrue(OperatorToken.authorized(null, "Bearer anything"));
  }

  @Test
  void withoutATokenTheAdminPortBindsLoopbackWhateverTheHost() {
    AdminSettings open = AdminSettings.from(ConfigFactory.parseString(
        "riata.http.admin { enabled = on, host = \"0.0.0.0\", port = 0, token = \"\", ask-timeout = 1s }")
        .withFallback(ConfigFactory.defaultReference()));
    assertFalse(open.hasToken());
    assertEquals("127.0.0.1", open.bindHost());
    AdminSettings guarded = AdminSettings.from(ConfigFactory.parseString(
        "riata.http.admin { enabled = on, host = \"0.0.0.0\", port = 0, token = \" t0k \", ask-timeout = 1s }")
        .withFallback(ConfigFactory.defaultReference()));
    assertEquals("0.0.0.0", guarded.bindHost());
    assertEquals("t0k", guarded.token());
    assertFalse(guarded.toString().contains("t0k"), "the token never shows in logs");
  }

  @Test
  void theDefaultsComeFromReferenceConf() {
    AdminSettings defaults = AdminSettings.from(ConfigFactory.defaultReference());
    assertTrue(defaults.enabled());
    assertEquals(8580, defaults.port());
    assertEquals("127.0.0.1", defaults.host());
    assertEquals(16, defaults.timingSampleEvery());
  }

  @Test
  void problemsCarryTypeTitleStatusAndDetail() {
    var body = AdminRoutes.problemBody(409, "restart-required", "Restart required", "why");
    assertEquals("https://riata.io/problems/restart-required", body.get("type").asText());
    assertEquals("Restart required", body.get("title").asText());
    assertEquals(409, body.get("status").asInt());
    assertEquals("why", body.get("detail").asText());
    assertEquals("application/problem+json", AdminRoutes.PROBLEM_JSON.mediaType().toString());
  }
}
