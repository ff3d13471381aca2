package io.riata.core.engine;

/** Where a transport reports how one attempt ended: exactly one call, on the thread the attempt belongs to. */
public interface AttemptListener<B> {

  /**
   * The provider answered over HTTP.
   *
   * @param retryAfter the {@code Retry-After} header, or {@code null}
   * @param body       the reply's bytes; the listener owns them from here on (releases or hands them on)
   */
  void onReply(int status, String retryAfter, B body);

  /** No HTTP answer. */
  void onFailure(TransportFailure failure);
}
