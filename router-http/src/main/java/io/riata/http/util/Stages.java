package io.riata.http.util;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Bridges the {@code CompletionStage}s that Pekko's Java API returns into plain
 * {@code CompletableFuture}s.
 *
 * <p>Pekko's stages come from Scala's future converters, which turn every non-async callback
 * ({@code thenApply}, {@code whenComplete}, ...) into an async one on the common pool. On a
 * 2-core machine the common pool has parallelism 1, and then the JDK runs each async callback on a
 * new thread: one thread start per request, which cut throughput to a few hundred requests per
 * second. Bridged once, right where Pekko hands over, the rest of the request path runs its
 * callbacks on the completing thread.
 */
public final class Stages {

  /** Runs a callback on the thread that completed the stage. */
  public static final Executor SAME_THREAD = Runnable::run;

  private Stages() {}

  public static <T> CompletableFuture<T> plain(CompletionStage<T> stage) {
    CompletableFuture<T> out = new CompletableFuture<>();
    stage.whenCompleteAsync((value, failure) -> {
      if (failure != null) {
        out.completeExceptionally(failure);
      } else {
        out.complete(value);
      }
    }, SAME_THREAD);
    return out;
  }
}
