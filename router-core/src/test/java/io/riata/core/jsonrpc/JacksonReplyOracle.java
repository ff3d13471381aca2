package io.riata.core.jsonrpc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * The Jackson streaming version of {@link ReplyInspector} that the scanner replaced, kept as the
 * reference its answers are compared with (and as the "before" of {@code ReplyInspectorBench}).
 *
 * <p>{@link #inspect} adds one check the old code lacked: it also reads past the reply object and
 * calls anything but whitespace there malformed, as the scanner does. {@link #inspectAsReleased} is
 * the old code exactly, which accepted {@code {"result":1}garbage}.
 */
final class JacksonReplyOracle {

  private static final JsonFactory FACTORY = JsonFactory.builder().build();

  private JacksonReplyOracle() {}

  static UpstreamReply inspect(byte[] body) {
    return body == null ? UpstreamReply.MALFORMED : inspect(body, 0, body.length);
  }

  static UpstreamReply inspect(byte[] body, int offset, int length) {
    return inspect(body, offset, length, true);
  }

  static UpstreamReply inspectAsReleased(byte[] body, int offset, int length) {
    return inspect(body, offset, length, false);
  }

  private static UpstreamReply inspect(byte[] body, int offset, int length, boolean wholeBody) {
    if (length == 0) {
      return UpstreamReply.MALFORMED;
    }
    try (JsonParser p = FACTORY.createParser(body, offset, length)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return UpstreamReply.MALFORMED;
      }
      boolean hasResult = false;
      boolean resultNull = false;
      boolean hasError = false;
      Integer code = null;
      String message = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("result")) {
          hasResult = true;
          resultNull = value == JsonToken.VALUE_NULL;
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
      if (wholeBody && p.nextToken() != null) {
        return UpstreamReply.MALFORMED;
      }
      return new UpstreamReply(true, hasResult && !hasError, code, message, hasResult && !hasError && resultNull);
    } catch (IOException | RuntimeException e) {
      return UpstreamReply.MALFORMED;
    }
  }
}
