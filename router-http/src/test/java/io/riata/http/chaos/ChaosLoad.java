package io.riata.http.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.riata.http.ReadTally;
import io.riata.http.TestNodes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Steady reads ({@code eth_getBalance} at {@code latest}) from a few client threads, each sending
 * to the next node in turn with a short pause between reads. Every read is kept with when it was
 * sent, how long it took, how it ended (judged by {@link ReadTally#problem}) and the attempts
 * Riata reported, so a scenario can cut the record into windows afterwards. Bounded in time and
 * in reads; a thread goes on after a failure.
 */
final class ChaosLoad implements AutoCloseable {

  /**
   * One attempt from {@code X-Riata-Attempt-Log}: the provider and how it ended ({@code ok},
   * {@code timeout}, ...), with {@code (hedge)} after it when it was sent as a hedge.
   */
  record Attempt(String provider, String outcome) {
    boolean ok() {
      return outcome.equals("ok") || outcome.startsWith("ok ");
    }

    boolean hedge() {
      return outcome.endsWith("(hedge)");
    }
  }

  /**
   * One read. {@code problem} is null for a good answer; {@code errorCode} is the JSON-RPC error
   * code when the answer was one (0 otherwise); {@code attempts} is -1 when the header was absent;
   * {@code status} is the HTTP status, 0 without an answer; {@code retryAfter} whether the answer
   * carried {@code Retry-After}. {@code sentNanos} is when the client meant to send: a paced load
   * ({@link PacedLoad}) may have held the read back for {@code queuedNanos} for want of a free
   * connection, and that wait is part of its latency.
   */
  record Read(String node, long sentNanos, long doneNanos, String problem, int errorCode, int attempts,
              List<Attempt> log, int status, boolean retryAfter, long queuedNanos) {

    /** A read that got no HTTP answer. */
    static Read unanswered(String node, long sentNanos, long doneNanos, String problem) {
      return new Read(node, sentNanos, doneNanos, problem, 0, -1, List.of(), 0, false, 0);
    }

    boolean ok() {
      return problem == null;
    }

    /** Time from sending it on the connection to the answer: {@link #latencyNanos()} less the wait for a connection. */
    long wireNanos() {
      return latencyNanos() - queuedNanos;
    }

    long latencyNanos() {
      return doneNanos - sentNanos;
    }

    boolean triedProvider(String provider) {
      return log.stream().anyMatch(a -> a.provider().equals(provider));
    }

    boolean hedged() {
      return log.stream().anyMatch(Attempt::hedge);
    }

    boolean servedBy(String provider) {
      return log.stream().anyMatch(a -> a.provider().equals(provider) && a.ok());
    }
  }

  static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(10);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  final ConcurrentLinkedQueue<Read> reads = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> threads = new ArrayList<>();
  private final String chain;

  ChaosLoad(Supplier<List<ChaosNode>> targets, String chain, int clients, Duration pause, Duration maxRun,
            int maxReads) {
    this.chain = chain;
    long stopAt = System.nanoTime() + maxRun.toNanos();
    AtomicInteger ids = new AtomicInteger();
    for (int t = 0; t < clients; t++) {
      Thread thread = new Thread(() -> {
        while (running.get() && System.nanoTime() < stopAt) {
          int id = ids.incrementAndGet();
          if (id > maxReads) {
            return;
          }
          List<ChaosNode> nodes = targets.get();
          if (nodes.isEmpty()) {
            long now = System.nanoTime();
            reads.add(Read.unanswered("none", now, now, "no node to send to"));
          } else {
            send(nodes.get(id % nodes.size()), id);
          }
          sleep(pause);
        }
      }, "chaos-load-" + t);
      thread.setDaemon(true);
      thread.setUncaughtExceptionHandler((th, e) -> {
        long now = System.nanoTime();
        reads.add(Read.unanswered("none", now, now, th.getName() + " died: " + e));
      });
      threads.add(thread);
      thread.start();
    }
  }

  private static void sleep(Duration pause) {
    try {
      Thread.sleep(pause.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void send(ChaosNode node, int id) {
    String body = TestNodes.call("eth_getBalance", String.format("[\"0x%040x\",\"latest\"]", id), id);
    long sent = System.nanoTime();
    HttpResponse<String> r;
    try {
      r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + "/rpc/" + chain))
          .timeout(CLIENT_TIMEOUT).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      reads.add(Read.unanswered(node.name, sent, System.nanoTime(), "interrupted"));
      return;
    } catch (Exception e) {
      reads.add(Read.unanswered(node.name, sent, System.nanoTime(), e.getClass().getSimpleName()));
      return;
    }
    reads.add(read(node.name, sent, System.nanoTime(), 0, id, r.statusCode(), r.body(),
        r.headers().firstValue("X-Riata-Attempts").orElse(null),
        r.headers().firstValue("X-Riata-Attempt-Log").orElse(null),
        r.headers().firstValue("Retry-After").isPresent()));
  }

  /** One answered read, judged by {@link ReadTally#problem} with the routing headers taken apart. */
  /** A good answer (HTTP 200 with the read's result), already judged so by its caller. */
  static Read good(String node, long sentNanos, long doneNanos, long queuedNanos, String attemptsHeader,
                   String attemptLogHeader, boolean retryAfter) {
    return new Read(node, sentNanos, doneNanos, null, 0, attempts(attemptsHeader), attemptLog(attemptLogHeader), 200,
        retryAfter, queuedNanos);
  }

  private static int attempts(String header) {
    return header == null ? -1 : Integer.parseInt(header);
  }

  private static List<Attempt> attemptLog(String header) {
    if (header == null) {
      return List.of();
    }
    List<Attempt> log = new ArrayList<>(2);
    for (String entry : header.split(", ")) {
      int eq = entry.indexOf('=');
      if (eq > 0) {
        log.add(new Attempt(entry.substring(0, eq), entry.substring(eq + 1)));
      }
    }
    return List.copyOf(log);
  }

  static Read read(String node, long sentNanos, long doneNanos, long queuedNanos, int id, int status, String body,
                   String attemptsHeader, String attemptLogHeader, boolean retryAfter) {
    String problem = ReadTally.problem(status, body == null ? "" : body, id);
    int code = 0;
    if (problem != null) {
      try {
        JsonNode error = TestNodes.json(body).path("error").path("code");
        code = error.isInt() ? error.asInt() : 0;
      } catch (RuntimeException e) {
        // not JSON: the problem already says so
      }
    }
    return new Read(node, sentNanos, doneNanos, problem, code, attempts(attemptsHeader), attemptLog(attemptLogHeader),
        status, retryAfter, queuedNanos);
  }

  /** Reads sent at or after {@code from} and before {@code to} (nanoTime). */
  List<Read> sentBetween(long from, long to) {
    return reads.stream().filter(r -> r.sentNanos() >= from && r.sentNanos() < to).toList();
  }

  List<Read> matching(Predicate<Read> filter) {
    return reads.stream().filter(filter).toList();
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread t : threads) {
      t.join(CLIENT_TIMEOUT.toMillis() + 5_000);
    }
  }
}
