package io.riata.core.jsonrpc;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One valid JSON-RPC 2.0 request as it arrived.
 *
 * @param offset where this request object starts in the body it was parsed from; with
 *               {@code length}, the exact bytes forwarded upstream without re-encoding
 * @param length how many bytes the request object takes in that body
 * @param idJson the id exactly as sent, as JSON text ({@code 1}, {@code "a"}, {@code null}), or
 *               {@code null} when the member is absent, which makes the request a notification
 * @param method the method name
 * @param params the exact bytes of {@code params}, or {@code null} when absent
 */
public record JsonRpcRequest(int offset, int length, String idJson, String method, byte[] params) {

  public boolean isNotification() {
    return idJson == null;
  }

  /** This request's bytes out of the body it was parsed from (a copy). */
  public byte[] bytesIn(byte[] body) {
    return Arrays.copyOfRange(body, offset, offset + length);
  }

  /** A request built in code (probes, catch-up calls), with its bytes. */
  public static Built build(String idJson, String method, String paramsJson) {
    byte[] bytes = ("{\"jsonrpc\":\"2.0\",\"id\":" + idJson + ",\"method\":" + JsonRpcCodec.quote(method)
        + ",\"params\":" + paramsJson + "}").getBytes(StandardCharsets.UTF_8);
    return new Built(new JsonRpcRequest(0, bytes.length, idJson, method,
        paramsJson.getBytes(StandardCharsets.UTF_8)), bytes);
  }

  /** A request and the bytes it was built as. */
  public record Built(JsonRpcRequest request, byte[] bytes) {}
}
