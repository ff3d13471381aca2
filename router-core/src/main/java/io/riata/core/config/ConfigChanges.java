package io.riata.core.config;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * What differs between the running {@code chains.yml} and a new one, split into what a running
 * node can take over at once and what needs a restart.
 *
 * <p>Live: a provider's {@code priority}, {@code weight}, {@code archival}, method lists and
 * {@code request_timeout}; a chain's {@code max_lag_blocks}, {@code strategy} and
 * {@code archive_depth}; profiles. These are read per request from the chain's configuration, so
 * swapping it is enough.
 *
 * <p>Restart: chains or providers added or removed, a chain's {@code chain_id} or
 * {@code block_time}, a provider's URLs, headers or {@code max_concurrency}. The pool entities,
 * head probes, connection pools and concurrency limits are built from those once, at start.
 *
 * @param live    one line per live change, e.g. {@code chains.eth.providers.a.priority: 1 -> 3}
 * @param restart one line per change that needs a restart; URLs appear as {@link Redaction#url}
 *                shows them, header values never
 */
public record ConfigChanges(List<String> live, List<String> restart) {

  public ConfigChanges {
    live = List.copyOf(live);
    restart = List.copyOf(restart);
  }

  public boolean none() {
    return live.isEmpty() && restart.isEmpty();
  }

  public boolean appliesLive() {
    return restart.isEmpty();
  }

  public static ConfigChanges between(ChainsConfig running, ChainsConfig next) {
    List<String> live = new ArrayList<>();
    List<String> restart = new ArrayList<>();
    for (String name : running.chains().keySet()) {
      if (!next.chains().containsKey(name)) {
        restart.add("chains." + name + ": removed");
      }
    }
    for (ChainConfig now : next.allChains()) {
      ChainConfig was = running.chains().get(now.name());
      String path = "chains." + now.name();
      if (was == null) {
        restart.add(path + ": added");
        continue;
      }
      compare(restart, path + ".chain_id", was, now, ChainConfig::chainId);
      compare(restart, path + ".block_time", was, now, ChainConfig::blockTime);
      compare(live, path + ".max_lag_blocks", was, now, ChainConfig::maxLagBlocks);
      compare(live, path + ".strategy", was, now, ChainConfig::defaultStrategy);
      compare(live, path + ".archive_depth", was, now, ChainConfig::archiveDepth);
      compare(restart, path + ".head_quorum", was, now, ChainConfig::headQuorum);
      compare(restart, path + ".max_ahead_blocks", was, now, ChainConfig::maxAheadBlocks);
      compare(restart, path + ".finality_interval", was, now, ChainConfig::finalityInterval);
      for (ProviderConfig p : was.providers()) {
        if (now.provider(p.id()).isEmpty()) {
          restart.add(path + ".providers." + p.id() + ": removed");
        }
      }
      for (ProviderConfig p : now.providers()) {
        String pPath = path + ".providers." + p.id();
        ProviderConfig old = was.provider(p.id()).orElse(null);
        if (old == null) {
          restart.add(pPath + ": added");
          continue;
        }
        compareUrl(restart, pPath + ".http_url", old.httpUrl(), p.httpUrl());
        compareUrl(restart, pPath + ".ws_url", old.wsUrl(), p.wsUrl());
        if (!old.headers().equals(p.headers())) {
          restart.add(pPath + ".headers: changed"); // values may be secrets: never echoed
        }
        compare(restart, pPath + ".max_concurrency", old, p, ProviderConfig::maxConcurrency);
        compare(live, pPath + ".priority", old, p, ProviderConfig::priority);
        compare(live, pPath + ".weight", old, p, ProviderConfig::weight);
        compare(live, pPath + ".archival", old, p, ProviderConfig::archival);
        compare(live, pPath + ".allow_methods", old, p, ProviderConfig::allowMethods);
        compare(live, pPath + ".deny_methods", old, p, ProviderConfig::denyMethods);
        compare(live, pPath + ".request_timeout", old, p, ProviderConfig::requestTimeout);
      }
    }
    Map<String, ProfileConfig> before = running.profiles();
    for (String name : before.keySet()) {
      if (!next.profiles().containsKey(name)) {
        live.add("profiles." + name + ": removed");
      }
    }
    for (ProfileConfig p : next.profiles().values()) {
      ProfileConfig old = before.get(p.name());
      if (old == null) {
        live.add("profiles." + p.name() + ": added");
      } else if (!old.equals(p)) {
        live.add("profiles." + p.name() + ": changed");
      }
    }
    return new ConfigChanges(live, restart);
  }

  /**
   * URLs often carry an API key in their path, query or user-info: these lines reach the admin
   * API's 409 body and other nodes' logs, so only {@link Redaction#url} forms are written.
   */
  private static void compareUrl(List<String> out, String path, URI was, URI now) {
    if (Objects.equals(was, now)) {
      return;
    }
    String a = was == null ? "null" : Redaction.url(was);
    String b = now == null ? "null" : Redaction.url(now);
    out.add(path + (a.equals(b) ? ": changed" : ": " + a + " -> " + b));
  }

  private static <T> void compare(List<String> out, String path, T was, T now, Function<T, Object> field) {
    Object a = field.apply(was);
    Object b = field.apply(now);
    if (!Objects.equals(a, b)) {
      out.add(path + ": " + a + " -> " + b);
    }
  }
}
