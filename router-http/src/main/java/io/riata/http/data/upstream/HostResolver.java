package io.riata.http.data.upstream;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Host names of providers to addresses, without blocking an event loop: an IP literal is taken as
 * it is; a name is looked up by the JDK (hosts file, then DNS, with the JDK's own cache) on a
 * thread of its own, and the answer kept for {@code ttl}, so only a new connection after the
 * answer went stale waits for a lookup.
 */
final class HostResolver implements AutoCloseable {

  private record Known(InetAddress address, long expiresAtNanos) {}

  private final Duration ttl;
  private final ConcurrentHashMap<String, Known> known = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, CompletableFuture<InetAddress>> pending = new ConcurrentHashMap<>();
  private final ExecutorService lookups = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "riata-dns");
    t.setDaemon(true);
    return t;
  });

  HostResolver(Duration ttl) {
    this.ttl = ttl;
  }

  /** The address of {@code host} if it is an IP literal or a fresh answer is known, else {@code null}. */
  InetAddress now(String host) {
    byte[] literal = NetUtil.createByteArrayFromIpAddressString(host);
    if (literal != null) {
      try {
        return InetAddress.getByAddress(host, literal);
      } catch (UnknownHostException impossible) {
        return null;
      }
    }
    Known k = known.get(host);
    return k != null && System.nanoTime() - k.expiresAtNanos() < 0 ? k.address() : null;
  }

  /** Looks {@code host} up off the event loops; fails with {@link UnknownHostException}. */
  CompletableFuture<InetAddress> lookUp(String host) {
    return pending.computeIfAbsent(host, h -> {
      CompletableFuture<InetAddress> f = CompletableFuture.supplyAsync(() -> {
        try {
          InetAddress address = InetAddress.getByName(h);
          known.put(h, new Known(address, System.nanoTime() + ttl.toNanos()));
          return address;
        } catch (UnknownHostException e) {
          throw new java.util.concurrent.CompletionException(e);
        }
      }, lookups);
      f.whenComplete((a, e) -> pending.remove(h));
      return f;
    });
  }

  @Override
  public void close() {
    lookups.shutdownNow();
  }
}
