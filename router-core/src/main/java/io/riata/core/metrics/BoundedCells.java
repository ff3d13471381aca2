package io.riata.core.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Per-key cells (one per method name, say) with a bound on how many keys get a cell of their own:
 * past the bound, new keys share one overflow cell, so clients inventing method names cannot grow
 * memory. Lock-free; a slot is claimed before inserting, so the bound holds under races.
 */
public final class BoundedCells<C> {

  private final ConcurrentHashMap<String, C> cells = new ConcurrentHashMap<>();
  private final AtomicInteger taken = new AtomicInteger();
  private final int max;
  private final Supplier<C> fresh;
  private final C overflow;

  public BoundedCells(int max, Supplier<C> fresh) {
    this.max = max;
    this.fresh = fresh;
    this.overflow = fresh.get();
  }

  /** The key's cell, created if there is room, else the shared overflow cell. */
  public C forWrite(String key) {
    C cell = cells.get(key);
    if (cell != null) {
      return cell;
    }
    int c;
    do {
      c = taken.get();
      if (c >= max) {
        cell = cells.get(key); // another thread may have inserted this very key since the first look
        return cell != null ? cell : overflow;
      }
    } while (!taken.compareAndSet(c, c + 1));
    C created = fresh.get();
    cell = cells.putIfAbsent(key, created);
    if (cell != null) {
      taken.decrementAndGet();
      return cell;
    }
    return created;
  }

  /** The key's cell if it has one, the overflow cell if the bound was reached, else {@code null}. */
  public C forRead(String key) {
    C cell = cells.get(key);
    return cell != null ? cell : taken.get() >= max ? overflow : null;
  }

  /** Keys with a cell of their own (weakly consistent, like the map it views). */
  public Map<String, C> own() {
    return cells;
  }

  public C overflow() {
    return overflow;
  }
}
