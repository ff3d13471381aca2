package io.riata.core.rollup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.riata.core.breaker.BreakerPhase;
import io.riata.core.failover.OutcomeKind;
import java.util.List;
import org.junit.jupiter.api.Test;

class RollupsTest {

  @Test
  void mergingSumsEveryCountAndHistogramExactly() {
    RollupRecorder n1 = new RollupRecorder(16, 8);
    RollupRecorder n2 = new RollupRecorder(16, 8);
    RollupRecorder both = new RollupRecorder(16, 8);
    for (int i = 0; i < 500; i++) {
      RollupRecorder r = i % 5 < 2 ? n1 : n2;
      OutcomeKind kind = OutcomeKind.values()[i % OutcomeKind.values().length];
      String method = i % 2 == 0 ? "eth_call" : "eth_getBalance";
      for (RollupRecorder target : List.of(r, both)) {
        target.attempt("p" + (i % 3), method, kind, i * 13_000L);
        target.request("p" + (i % 3), method, 1 + i % 2, false);
      }
    }
    ChainRollup a = chain(n1.drain(), 5, 100);
    ChainRollup b = chain(n2.drain(), 7, 101);
    ChainRollup expected = chain(both.drain(), 7, 101);
    ChainRollup merged = Rollups.merge(List.of(a, b), 10).get(0);
    assertEquals(101, merged.chainHead());
    assertEquals(7, merged.snapshotVersion());
    for (ProviderRollup p : expected.providers()) {
      ProviderRollup m = merged.providers().stream().filter(x -> x.providerId().equals(p.providerId())).findFirst().orElseThrow();
      assertEquals(sorted(p.methods()), sorted(m.methods()), p.providerId());
      assertEquals(2, m.localOpenNodes());
    }
  }

  @Test
  void mergingAddsUpTheNodesRetryCountsAndAQuietTickHasNone() {
    ChainRollup a = new ChainRollup("c", 1, 1, List.of(), List.of(), 0, new RetryCounts(3, 0, 5, 4));
    ChainRollup b = new ChainRollup("c", 1, 2, List.of(), List.of(), 0, new RetryCounts(1, 7, 2, 1));
    ChainRollup merged = Rollups.merge(List.of(a, b), 10).get(0);
    assertEquals(new RetryCounts(4, 7, 7, 5), merged.retries());
    assertEquals(RetryCounts.NONE, Rollups.withoutTraffic(merged).retries());
  }

  @Test
  void aRollupWithoutRetryCountsReadsAsNone() {
    assertEquals(RetryCounts.NONE, new ChainRollup("c", 1, 1, List.of(), List.of(), 0, null).retries());
  }

  @Test
  void keepsTheNewestDecisionsUpToTheCap() {
    ChainRollup a = new ChainRollup("c", 1, 1, List.of(), List.of(decision(1), decision(4)));
    ChainRollup b = new ChainRollup("c", 1, 1, List.of(), List.of(decision(3), decision(2)));
    List<Decision> kept = Rollups.merge(List.of(a, b), 2).get(0).decisions();
    assertEquals(List.of(4L, 3L), kept.stream().map(Decision::atMillis).toList());
  }

  private static Decision decision(long at) {
    return new Decision(at, "c", "p", "m", "SUCCESS", 10, 1, "first choice");
  }

  private static List<MethodStats> sorted(List<MethodStats> methods) {
    return methods.stream().sorted(java.util.Comparator.comparing(MethodStats::method)).toList();
  }

  private static ChainRollup chain(RollupRecorder.Drained d, long version, long head) {
    List<ProviderRollup> providers = d.providers().entrySet().stream()
        .map(e -> new ProviderRollup(e.getKey(), head, 0, BreakerPhase.CLOSED, false, false, 1, e.getValue()))
        .toList();
    return new ChainRollup("c", head, version, providers, d.decisions());
  }
}
