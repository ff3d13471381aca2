package io.riata.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class AttemptTest {

  @Test
  void onlyRequestsSentCountAsAttempts() {
    List<Attempt> log = List.of(
        new Attempt("a", Attempt.SATURATED, 0, false),
        new Attempt("b", "outrun", 60_000_000, false),
        new Attempt("c", "ok", 20_000_000, true),
        new Attempt("d", Attempt.BUDGET_SPENT, 0, false));
    assertEquals(2, Attempt.sent(log), "b and its hedge c went out; a and d were passed over");
    assertEquals(0, Attempt.sent(List.of()));
  }
}
