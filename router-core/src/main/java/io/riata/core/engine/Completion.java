package io.riata.core.engine;

/** Receives a request's outcome, once, on the request's thread. */
@FunctionalInterface
public interface Completion<B> {
  void complete(Outcome<B> outcome);
}
