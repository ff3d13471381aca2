package io.riata.core.engine;

import java.util.List;

/**
 * One try against one provider, as the attempt log shows it; also a candidate passed over
 * without sending anything ({@link #skipped()}).
 *
 * @param reason how it ended: {@code ok}, {@code timeout}, {@code http 503}, {@code saturated} ...
 * @param hedge  it was sent while an earlier attempt was still in flight
 */
public record Attempt(String providerId, String reason, long nanos, boolean hedge) {

  /** The provider was at its concurrency limit: nothing was sent to it. */
  public static final String SATURATED = "saturated";
  /** The chain's retry budget was spent: nothing was sent. */
  public static final String BUDGET_SPENT = "retry budget spent";

  /** Whether nothing was sent: the log says why the candidate was passed over. */
  public boolean skipped() {
    return SATURATED.equals(reason) || BUDGET_SPENT.equals(reason);
  }

  /** The requests sent to providers among {@code attempts}. */
  public static int sent(List<Attempt> attempts) {
    int n = 0;
    for (int i = 0; i < attempts.size(); i++) {
      if (!attempts.get(i).skipped()) {
        n++;
      }
    }
    return n;
  }
}
