package io.riata.core.engine;

import java.util.List;

/**
 * How one request ended: a provider's reply, or Riata's own answer.
 *
 * @param body       the provider's reply bytes, owned by whoever receives the outcome; {@code null}
 *                   when Riata answered
 * @param own        Riata's own answer when {@code body} is {@code null}
 * @param providerId the provider whose reply {@code body} is, or {@code null}
 * @param attempts   every attempt in the order they were sent
 * @param refused    the node had no room for the request (answered with HTTP 503)
 */
public record Outcome<B>(B body, byte[] own, String providerId, List<Attempt> attempts, boolean refused) {

  static <B> Outcome<B> own(byte[] own, List<Attempt> attempts) {
    return new Outcome<>(null, own, null, attempts, false);
  }

  public boolean fromProvider() {
    return body != null;
  }
}
