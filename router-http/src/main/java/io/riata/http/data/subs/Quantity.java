package io.riata.http.data.subs;

import com.fasterxml.jackson.databind.JsonNode;

/** Ethereum JSON-RPC quantities: 0x-prefixed hex numbers, as in a head's number or a log's index. */
final class Quantity {

  private Quantity() {}

  /** The value of {@code field}, or -1 when it is missing or not a hex quantity. */
  static long of(JsonNode node, String field) {
    String hex = node.path(field).asText("");
    if (!hex.startsWith("0x") || hex.length() < 3) {
      return -1;
    }
    try {
      return Long.parseLong(hex.substring(2), 16);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
