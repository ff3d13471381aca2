package io.riata.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The score of a read load: every read sent ends either as ok or as a failure with a short reason
 * (transport error, timeout, non-200, a body that is not JSON, an error, no result, a wrong id),
 * and nothing a client thread does can end it without being counted.
 */
public final class ReadTally {

  private static final int SHOWN = 200;

  public final AtomicLong sent = new AtomicLong();
  public final AtomicLong ok = new AtomicLong();
  public final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

  /**
   * Sends one read with {@code send} and scores its answer as the answer to request {@code id}.
   * Never throws; returns the response, or {@code null} when there was none.
   */
  public HttpResponse<String> read(String where, int id, Callable<HttpResponse<String>> send) {
    sent.incrementAndGet();
    HttpResponse<String> response;
    try {
      response = send.call();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failures.add(where + " #" + id + ": interrupted");
      return null;
    } catch (Exception e) {
      failures.add(where + " #" + id + ": " + describe(e));
      return null;
    }
    String problem = problem(response, id);
    if (problem == null) {
      ok.incrementAndGet();
    } else {
      failures.add(where + " #" + id + ": " + problem);
    }
    return response;
  }

  /** Records that a client thread ended abnormally (it stops sending, which must not go unseen). */
  public void threadDied(String thread, Throwable cause) {
    failures.add(thread + " died: " + describe(cause));
  }

  /** Why {@code r} is not a good answer to request {@code id}, or {@code null} when it is. */
  public static String problem(HttpResponse<String> r, int id) {
    return problem(r.statusCode(), r.body() == null ? "" : r.body(), id);
  }

  /** Why an answer with this status and body is not a good answer to request {@code id}, or {@code null} when it is. */
  public static String problem(int status, String body, int id) {
    if (status != 200) {
      return "HTTP " + status + " " + shorten(body);
    }
    JsonNode json;
    try {
      json = TestNodes.JSON.readTree(body);
    } catch (IOException e) {
      return "not JSON: " + shorten(body);
    }
    if (json == null || !json.isObject()) {
      return "not a JSON object: " + shorten(body);
    }
    JsonNode answerId = json.get("id");
    if (answerId == null || !answerId.isIntegralNumber() || answerId.asLong() != id) {
      return "wrong id " + answerId + ": " + shorten(body);
    }
    if (json.has("error")) {
      return "error " + shorten(json.get("error").toString());
    }
    JsonNode result = json.get("result");
    if (result == null || result.isNull()) {
      return "no result: " + shorten(body);
    }
    return null;
  }

  private static String describe(Throwable e) {
    Throwable root = e;
    while ((root instanceof java.io.UncheckedIOException || root instanceof java.util.concurrent.CompletionException)
        && root.getCause() != null) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + shorten(root.getMessage()));
  }

  private static String shorten(String s) {
    return s.length() <= SHOWN ? s : s.substring(0, SHOWN) + "...";
  }

  /** Fails unless no read failed and every read sent was counted exactly once. */
  public void assertNoReadFailed(String message) {
    assertEquals(List.of(), List.copyOf(failures), message);
    assertEquals(sent.get(), ok.get() + failures.size(), "reads sent vs reads counted (ok + failed)");
  }
}
