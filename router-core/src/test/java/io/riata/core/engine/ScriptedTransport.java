package io.riata.core.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import io.riata.core.config.ProviderConfig;
import io.riata.core.jsonrpc.ReplyInspector;
import io.riata.core.jsonrpc.UpstreamReply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * A transport that answers from a script per provider, on a manual clock, with no sockets.
 * Script steps: {@code ok}, {@code ok:DELAY_MS}, {@code head:HEX} (a result {@code "0xHEX"}), {@code null} (a null result), {@code caller} (a reverted call), an HTTP status
 * such as {@code 503} (a non-JSON body), {@code 429} or {@code 429:SECONDS} (with Retry-After),
 * {@code err:CODE:MESSAGE} (a JSON-RPC error), {@code malformed}, {@code empty} (204-like 200 with
 * no body), {@code hang} (never answers: the attempt times out), or a {@link TransportFailure}
 * name in lower case with dashes ({@code connect-refused}, {@code reset}, ...).
 */
final class ScriptedTransport implements Transport<String, ScriptedTransport.Body> {

  /** A reply body that knows whether it was released, so a test can find leaks and double frees. */
  static final class Body {
    final String text;
    boolean released;

    Body(String text) {
      this.text = text;
    }
  }

  /** One attempt as the transport saw it. */
  record Sent(String providerId, String payload, long timeoutNanos, long atNanos) {}

  private record Task(long atNanos, long seq, Runnable run) {}

  final ManualClock clock;
  final List<Sent> sent = new ArrayList<>();
  final List<Body> handedOut = new ArrayList<>();
  final List<String> cancelled = new ArrayList<>();
  private final Map<String, Deque<String>> scripts = new HashMap<>();
  private final PriorityQueue<Task> tasks =
      new PriorityQueue<>((x, y) -> x.atNanos != y.atNanos ? Long.compare(x.atNanos, y.atNanos) : Long.compare(x.seq, y.seq));
  private long seq;

  ScriptedTransport(ManualClock clock) {
    this.clock = clock;
  }

  /** {@code "a=503 b=ok"}: provider a answers 503, then b answers ok; steps of one provider in order. */
  ScriptedTransport script(String script) {
    for (String token : script.trim().split("\\s+")) {
      if (token.isEmpty()) {
        continue;
      }
      int eq = token.indexOf('=');
      scripts.computeIfAbsent(token.substring(0, eq), k -> new ArrayDeque<>()).add(token.substring(eq + 1));
    }
    return this;
  }

  @Override
  public Cancellable send(ProviderConfig provider, String payload, long timeoutNanos, AttemptListener<Body> listener) {
    long now = clock.nanoTime();
    sent.add(new Sent(provider.id(), payload, timeoutNanos, now));
    Deque<String> steps = scripts.get(provider.id());
    String step = steps == null ? null : steps.poll();
    if (step == null) {
      fail("provider " + provider.id() + " was asked but has no scripted step left");
    }
    boolean[] over = new boolean[1];
    Runnable timeout = () -> {
      if (!over[0]) {
        over[0] = true;
        listener.onFailure(TransportFailure.TIMEOUT);
      }
    };
    Runnable answer = outcome(step, listener, over);
    long delay = delayOf(step);
    if (answer == null || delay >= timeoutNanos) {
      schedule(timeoutNanos, timeout);
    } else {
      schedule(delay, answer);
    }
    return () -> {
      if (!over[0]) {
        over[0] = true;
        cancelled.add(provider.id());
      }
    };
  }

  private static long delayOf(String step) {
    if (step.startsWith("ok:")) {
      return Long.parseLong(step.substring(3)) * 1_000_000;
    }
    return 1_000_000; // every answer takes a millisecond
  }

  private Runnable outcome(String step, AttemptListener<Body> listener, boolean[] over) {
    if (step.equals("hang")) {
      return null;
    }
    Runnable reply;
    if (step.equals("ok") || step.startsWith("ok:")) {
      reply = reply(listener, 200, null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x10\"}");
    } else if (step.equals("null")) {
      reply = reply(listener, 200, null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":null}");
    } else if (step.startsWith("head:")) {
      reply = reply(listener, 200, null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x" + step.substring(5) + "\"}");
    } else if (step.equals("caller")) {
      reply = reply(listener, 200, null,
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":3,\"message\":\"execution reverted\"}}");
    } else if (step.startsWith("err:")) {
      String[] parts = step.split(":", 3);
      reply = reply(listener, 200, null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":" + parts[1]
          + ",\"message\":\"" + parts[2].replace('_', ' ') + "\"}}");
    } else if (step.equals("malformed")) {
      reply = reply(listener, 200, null, "<html>oops</html>");
    } else if (step.equals("empty")) {
      reply = reply(listener, 200, null, "");
    } else if (step.startsWith("429")) {
      reply = reply(listener, 429, step.length() > 4 ? step.substring(4) : null, "Too Many Requests");
    } else if (Character.isDigit(step.charAt(0))) {
      reply = reply(listener, Integer.parseInt(step), null, "Bad Gateway");
    } else {
      TransportFailure failure = TransportFailure.valueOf(step.toUpperCase().replace('-', '_'));
      reply = () -> listener.onFailure(failure);
    }
    return () -> {
      if (!over[0]) {
        over[0] = true;
        reply.run();
      }
    };
  }

  private Runnable reply(AttemptListener<Body> listener, int status, String retryAfter, String text) {
    return () -> {
      Body body = new Body(text);
      handedOut.add(body);
      listener.onReply(status, retryAfter, body);
    };
  }

  /** As the data plane's default limit. */
  @Override
  public long maxReplyBytes() {
    return 32L << 20;
  }

  @Override
  public Cancellable schedule(long delayNanos, Runnable task) {
    Task t = new Task(clock.nanoTime() + delayNanos, seq++, task);
    tasks.add(t);
    return () -> tasks.remove(t);
  }

  /** Runs every task, moving the clock to each one's time, until nothing is left. */
  void runUntilIdle() {
    Task t;
    while ((t = tasks.poll()) != null) {
      clock.advanceTo(t.atNanos());
      t.run().run();
    }
  }

  @Override
  public UpstreamReply inspect(Body body) {
    assertFalse(body.released, "inspected a released body");
    return ReplyInspector.inspect(body.text.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public long resultQuantity(Body body) {
    assertFalse(body.released, "read a released body");
    byte[] bytes = body.text.getBytes(StandardCharsets.UTF_8);
    return ReplyInspector.resultQuantity(bytes, 0, bytes.length);
  }

  @Override
  public void release(Body body) {
    if (body.released) {
      fail("a body was released twice: " + body.text);
    }
    body.released = true;
  }

  /** Bodies neither released nor the one handed to the caller. */
  List<Body> leaked(Body answered) {
    List<Body> leaked = new ArrayList<>();
    for (Body b : handedOut) {
      if (!b.released && b != answered) {
        leaked.add(b);
      }
    }
    return leaked;
  }
}
