package io.riata.core.jsonrpc;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Which block a request is about, so that selection can send old blocks to archival providers and
 * skip providers that have not reached the block yet.
 */
public final class BlockParam {

  /** The request names no particular block, or names a tag such as {@code latest}. */
  public static final long NONE = -1;

  /** From {@link #blockOrLatest}: the request reads at the {@code latest} block. */
  public static final long LATEST = -2;

  /** Position of the block parameter in {@code params}, by method. */
  private static final Map<String, Integer> POSITION = Map.ofEntries(
      Map.entry("eth_getBalance", 1),
      Map.entry("eth_getCode", 1),
      Map.entry("eth_getTransactionCount", 1),
      Map.entry("eth_getStorageAt", 2),
      Map.entry("eth_call", 1),
      Map.entry("eth_estimateGas", 1),
      Map.entry("eth_getProof", 2),
      Map.entry("eth_getBlockByNumber", 0),
      Map.entry("eth_getBlockTransactionCountByNumber", 0),
      Map.entry("eth_getUncleCountByBlockNumber", 0),
      Map.entry("eth_getTransactionByBlockNumberAndIndex", 0),
      Map.entry("eth_getBlockReceipts", 0),
      Map.entry("debug_traceBlockByNumber", 0),
      Map.entry("trace_block", 0));

  private BlockParam() {}

  /**
   * The block number a request names as a hex quantity, {@code 0} for {@code earliest}, or
   * {@link #NONE}. Tags other than {@code earliest}, block hashes and objects give {@code NONE}.
   */
  public static long requestedBlock(String method, byte[] params) {
    long block = blockOrLatest(method, params);
    return block == LATEST ? NONE : block;
  }

  /**
   * As {@link #requestedBlock}, but {@link #LATEST} when the block parameter is the tag
   * {@code latest}, so that such a read can go to a provider that has reached the latest block
   * the caller may have seen.
   */
  public static long blockOrLatest(String method, byte[] params) {
    Integer position = POSITION.get(method);
    if (position == null || params == null) {
      return NONE;
    }
    String value = stringAt(params, position);
    if (value == null) {
      return NONE;
    }
    if (value.equals("earliest")) {
      return 0;
    }
    if (value.equals("latest")) {
      return LATEST;
    }
    if (value.length() > 2 && value.length() <= 18 && value.startsWith("0x")) {
      try {
        return Long.parseLong(value, 2, value.length(), 16);
      } catch (NumberFormatException e) {
        return NONE;
      }
    }
    return NONE;
  }

  /**
   * The string at {@code index} of a JSON array, or {@code null}. A small scanner: params are
   * short, and a full parse per request is not worth it.
   */
  static String stringAt(byte[] params, int index) {
    String s = new String(params, StandardCharsets.UTF_8);
    int i = skipSpace(s, 0);
    if (i >= s.length() || s.charAt(i) != '[') {
      return null;
    }
    i++;
    int element = 0;
    int depth = 0;
    while (i < s.length()) {
      i = skipSpace(s, i);
      if (i >= s.length()) {
        return null;
      }
      char c = s.charAt(i);
      if (c == '"') {
        int end = i + 1;
        while (end < s.length() && s.charAt(end) != '"') {
          end += s.charAt(end) == '\\' ? 2 : 1;
        }
        if (depth == 0 && element == index) {
          return end < s.length() ? s.substring(i + 1, end) : null;
        }
        i = end + 1;
      } else if (c == '[' || c == '{') {
        depth++;
        i++;
      } else if (c == ']' || c == '}') {
        if (depth == 0) {
          return null;
        }
        depth--;
        i++;
      } else if (c == ',') {
        if (depth == 0) {
          element++;
        }
        i++;
      } else {
        if (depth == 0 && element == index) {
          return null;
        }
        i++;
      }
    }
    return null;
  }

  private static int skipSpace(String s, int i) {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }
}
