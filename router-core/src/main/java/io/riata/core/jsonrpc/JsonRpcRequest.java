package io.riata.core.jsonrpc;

/**
 * One valid JSON-RPC 2.0 request as it arrived.
 *
 * @param raw    the exact bytes of this request object; forwarded upstream without re-encoding
 * @param idJson the id exactly as sent, as JSON text ({@code 1}, {@code "a"}, {@code null}), or
 *               {@code null} when the member is absent, which makes the request a notification
 * @param method the method name
 * @param params the exact bytes of {@code params}, or {@code null} when absent
 */
public record JsonRpcRequest(byte[] raw, String idJson, String method, byte[] params) {

  public boolean isNotification() {
    return idJson == null;
  }
}
