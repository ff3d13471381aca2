package io.riata.core.jsonrpc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Reads just enough of a provider's reply to judge it: whether there is a result, and the error's
 * code and message. One streaming pass; the result itself is skipped, not decoded.
 */
public final class ReplyInspector {

  private static final JsonFactory FACTORY = JsonFactory.builder().build();

  private ReplyInspector() {}

  public static UpstreamReply inspect(byte[] body) {
    return body == null ? UpstreamReply.MALFORMED : inspect(body, 0, body.length);
  }

  /** Inspects {@code length} bytes of {@code body} from {@code offset}. */
  public static UpstreamReply inspect(byte[] body, int offset, int length) {
    if (length == 0) {
      return UpstreamReply.MALFORMED;
    }
    try (JsonParser p = FACTORY.createParser(body, offset, length)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return UpstreamReply.MALFORMED;
      }
      boolean hasResult = false;
      boolean hasError = false;
      Integer code = null;
      String message = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("result")) {
          hasResult = true;
          p.skipChildren();
        } else if (field.equals("error") && value == JsonToken.START_OBJECT) {
          hasError = true;
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String inner = p.currentName();
            JsonToken v = p.nextToken();
            if (inner.equals("code") && v == JsonToken.VALUE_NUMBER_INT) {
              code = p.getIntValue();
            } else if (inner.equals("message") && v == JsonToken.VALUE_STRING) {
              message = p.getText();
            } else {
              p.skipChildren();
            }
          }
        } else {
          p.skipChildren();
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT || !(hasResult || hasError)) {
        return UpstreamReply.MALFORMED;
      }
      return new UpstreamReply(true, hasResult && !hasError, code, message);
    } catch (IOException | RuntimeException e) {
      return UpstreamReply.MALFORMED;
    }
  }
}
