package io.riata.core.rollup;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Merging rollups: counts and histograms add up exactly; states come from the newest snapshot. */
public final class Rollups {

  private Rollups() {}

  /**
   * Merges chain rollups (from several nodes or intervals) into one per chain, in order of first
   * appearance. Counts and histograms are summed per provider x method; provider states and the
   * chain head come from the part with the highest snapshot version (the newest view of the
   * chain's pool), local trips, stand-in nodes and retry counts are summed over nodes; decisions
   * keep the newest {@code decisionCap}.
   */
  public static List<ChainRollup> merge(List<ChainRollup> parts, int decisionCap) {
    Map<String, List<ChainRollup>> byChain = new LinkedHashMap<>();
    for (ChainRollup part : parts) {
      byChain.computeIfAbsent(part.chain(), k -> new ArrayList<>()).add(part);
    }
    List<ChainRollup> out = new ArrayList<>(byChain.size());
    for (List<ChainRollup> same : byChain.values()) {
      out.add(same.size() == 1 && same.get(0).decisions().size() <= decisionCap
          ? same.get(0) : mergeChain(same, decisionCap));
    }
    return out;
  }

  private static ChainRollup mergeChain(List<ChainRollup> same, int decisionCap) {
    ChainRollup newest = same.get(0);
    long chainHead = -1;
    int standInNodes = 0;
    RetryCounts retries = RetryCounts.NONE;
    for (ChainRollup c : same) {
      if (c.snapshotVersion() > newest.snapshotVersion()) {
        newest = c;
      }
      chainHead = Math.max(chainHead, c.chainHead());
      standInNodes += c.standInNodes();
      retries = retries.plus(c.retries());
    }
    Map<String, ProviderRollup> states = new LinkedHashMap<>();
    Map<String, Integer> localOpen = new LinkedHashMap<>();
    Map<String, Map<String, MethodStats>> stats = new LinkedHashMap<>();
    for (ProviderRollup p : newest.providers()) {
      states.put(p.providerId(), p);
    }
    List<Decision> decisions = new ArrayList<>();
    for (ChainRollup c : same) {
      for (ProviderRollup p : c.providers()) {
        states.putIfAbsent(p.providerId(), p);
        localOpen.merge(p.providerId(), p.localOpenNodes(), Integer::sum);
        Map<String, MethodStats> methods = stats.computeIfAbsent(p.providerId(), k -> new LinkedHashMap<>());
        for (MethodStats m : p.methods()) {
          methods.merge(m.method(), m, MethodStats::merge);
        }
      }
      decisions.addAll(c.decisions());
    }
    List<ProviderRollup> providers = new ArrayList<>(states.size());
    for (ProviderRollup state : states.values()) {
      String id = state.providerId();
      providers.add(new ProviderRollup(id, state.head(), state.lag(), state.breaker(), state.drained(),
          state.rateLimited(), localOpen.getOrDefault(id, 0), List.copyOf(stats.get(id).values()), state.rogue(),
          state.safe(), state.finalized(), state.finalizedWentBack()));
    }
    if (decisions.size() > decisionCap) {
      decisions.sort(Comparator.comparingLong(Decision::atMillis).reversed());
      decisions = new ArrayList<>(decisions.subList(0, decisionCap));
    }
    return new ChainRollup(newest.chain(), chainHead, newest.snapshotVersion(), providers, decisions, standInNodes,
        retries);
  }

  /** The same chain with its states kept and its traffic removed (for a tick no node reported it). */
  public static ChainRollup withoutTraffic(ChainRollup c) {
    List<ProviderRollup> providers = new ArrayList<>(c.providers().size());
    for (ProviderRollup p : c.providers()) {
      providers.add(p.withMethods(List.of()));
    }
    return new ChainRollup(c.chain(), c.chainHead(), c.snapshotVersion(), providers, List.of(), c.standInNodes());
  }
}
