package io.riata.core.selection;

import io.riata.core.config.ProviderConfig;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The providers to try for one request, best first, and why the others were left out. Each
 * excluded provider is counted once, under the first reason that applied, in the order of
 * {@link Exclusion}.
 */
public final class Selection {

  /** Why a configured provider is not in the list. */
  public enum Exclusion {
    /** Outside the request's profile, or not the provider the request pinned. */
    NOT_ALLOWED("not allowed for this route"),
    /** Its allow or deny list rules the method out. */
    METHOD_NOT_SUPPORTED("method not enabled"),
    /** An operator drained it. */
    DRAINED("drained"),
    /** This node's breaker for it is open. */
    BREAKER_OPEN("circuit breaker open"),
    /** Its head is further above what a quorum of providers reached than the chain's {@code max_ahead_blocks}. */
    ROGUE("head far ahead of the other providers'"),
    /** Further behind the chain head than the chain's {@code maxLagBlocks}. */
    LAGGING("lagging behind the chain head"),
    /** The request needs an archival provider and at least one other one qualified. */
    NOT_ARCHIVAL("not archival"),
    /** Its head is known to be below the block the request names, and another one has the block. */
    BEHIND_BLOCK("has not reached the block asked for");

    private final String text;

    Exclusion(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }
  }

  private static final Exclusion[] EXCLUSIONS = Exclusion.values();

  private ProviderConfig[] providers = new ProviderConfig[4];
  private int size;
  private final int[] excluded = new int[EXCLUSIONS.length];
  private boolean archiveOnly;

  /**
   * An empty selection to fill with {@link Selector#select(io.riata.core.config.ChainConfig, ChainSnapshot,
   * BreakerView, LatencyView, Strategy, String, long, HeadView, java.util.function.Predicate, long, Selection)}; one
   * kept by a caller and filled again allocates nothing.
   */
  public Selection() {}

  /** Empties it for {@code capacity} providers. */
  void reset(int capacity) {
    if (providers.length < capacity) {
      providers = new ProviderConfig[capacity];
    } else {
      Arrays.fill(providers, 0, size, null);
    }
    size = 0;
    Arrays.fill(excluded, 0);
    archiveOnly = false;
  }

  void add(ProviderConfig provider) {
    providers[size++] = provider;
  }

  void exclude(Exclusion reason) {
    excluded[reason.ordinal()]++;
  }

  void excluded(Exclusion reason, int count) {
    excluded[reason.ordinal()] = count;
  }

  void archiveOnly(boolean value) {
    archiveOnly = value;
  }

  public int size() {
    return size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  /** The {@code i}-th provider to try, 0 being the first. */
  public ProviderConfig get(int i) {
    if (i >= size) {
      throw new IndexOutOfBoundsException(i + " of " + size);
    }
    return providers[i];
  }

  /** An unmodifiable view; {@link #get} and {@link #size} avoid the wrapper on the hot path. */
  public List<ProviderConfig> providers() {
    return Collections.unmodifiableList(Arrays.asList(providers).subList(0, size));
  }

  public int excluded(Exclusion reason) {
    return excluded[reason.ordinal()];
  }

  /** Whether the request asked for an old block and only archival providers were kept. */
  public boolean archiveOnly() {
    return archiveOnly;
  }

  /**
   * The exclusions for an error message, e.g. {@code "2 circuit breaker open, 1 lagging behind the
   * chain head"}; {@code "no providers configured"} when there was nothing to exclude.
   */
  public String describeExclusions() {
    StringBuilder sb = new StringBuilder();
    for (Exclusion e : EXCLUSIONS) {
      int n = excluded[e.ordinal()];
      if (n > 0) {
        if (sb.length() > 0) {
          sb.append(", ");
        }
        sb.append(n).append(' ').append(e.text());
      }
    }
    return sb.length() > 0 ? sb.toString() : "no providers configured";
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Selection[");
    for (int i = 0; i < size; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(providers[i].id());
    }
    return sb.append("; excluded: ").append(describeExclusions()).append(']').toString();
  }
}
