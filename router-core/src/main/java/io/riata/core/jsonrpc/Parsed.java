package io.riata.core.jsonrpc;

import java.util.List;

/** What a request body turned out to be. Parsing never throws; every shape is one of these. */
public sealed interface Parsed {

  /** Not JSON at all, or not an object or array: answered with -32700 and {@code "id": null}. */
  record ParseError(String message) implements Parsed {}

  /** {@code []}: answered with one -32600 error object, not an array. */
  record EmptyBatch() implements Parsed {}

  /** A single object (valid or not). */
  record Single(Item item) implements Parsed {}

  /** A non-empty array; each element is judged on its own. */
  record Batch(List<Item> items) implements Parsed {
    public Batch {
      items = List.copyOf(items);
    }
  }

  /** One element: a valid request, or an invalid one answered with -32600. */
  sealed interface Item permits Request, Invalid {}

  record Request(JsonRpcRequest request) implements Item {}

  /**
   * @param idJson the id if one could be read from the invalid object (as JSON text), else {@code "null"}
   */
  record Invalid(String idJson, String message) implements Item {}
}
