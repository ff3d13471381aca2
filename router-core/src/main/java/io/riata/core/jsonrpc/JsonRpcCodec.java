package io.riata.core.jsonrpc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads request bodies and writes Riata's own answers, without building a tree: one streaming
 * pass finds each request object's byte range, its id, method and params, so a request is
 * forwarded upstream as the exact bytes the client sent.
 */
public final class JsonRpcCodec {

  private static final JsonFactory FACTORY = JsonFactory.builder().build();

  private JsonRpcCodec() {}

  /** Judges a request body. Never throws. */
  public static Parsed parse(byte[] body) {
    return parse(body, body.length);
  }

  /**
   * Judges the first {@code length} bytes of {@code body} (a buffer that may be longer, reused
   * between requests). Requests' offsets point into it.
   */
  public static Parsed parse(byte[] body, int length) {
    try (JsonParser p = FACTORY.createParser(body, 0, length)) {
      JsonToken first = p.nextToken();
      Parsed parsed;
      if (first == JsonToken.START_OBJECT) {
        parsed = new Parsed.Single(readItem(p, body));
      } else if (first == JsonToken.START_ARRAY) {
        List<Parsed.Item> items = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
          if (t == null) {
            return new Parsed.ParseError("unexpected end of input inside the batch");
          }
          if (t == JsonToken.START_OBJECT) {
            items.add(readItem(p, body));
          } else {
            p.skipChildren();
            items.add(new Parsed.Invalid("null", "a batch element must be an object"));
          }
        }
        parsed = items.isEmpty() ? new Parsed.EmptyBatch() : new Parsed.Batch(items);
      } else if (first == null) {
        return new Parsed.ParseError("empty body");
      } else {
        p.skipChildren();
        parsed = new Parsed.Single(new Parsed.Invalid("null", "a request must be an object or an array"));
      }
      if (p.nextToken() != null) {
        return new Parsed.ParseError("unexpected content after the end of the JSON value");
      }
      return parsed;
    } catch (JsonProcessingException e) {
      return new Parsed.ParseError(e.getOriginalMessage());
    } catch (IOException e) {
      return new Parsed.ParseError(e.getMessage());
    }
  }

  /** Reads one object whose START_OBJECT is the current token; leaves the parser on its END_OBJECT. */
  private static Parsed.Item readItem(JsonParser p, byte[] body) throws IOException {
    int start = (int) p.currentTokenLocation().getByteOffset();
    String idJson = null;
    String method = null;
    String version = null;
    byte[] params = null;
    String problem = null;
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "jsonrpc" -> {
          version = value == JsonToken.VALUE_STRING ? p.getText() : "";
          p.skipChildren();
        }
        case "id" -> {
          if (value == JsonToken.VALUE_STRING || value == JsonToken.VALUE_NUMBER_INT
              || value == JsonToken.VALUE_NUMBER_FLOAT || value == JsonToken.VALUE_NULL) {
            long from = p.currentTokenLocation().getByteOffset();
            p.getText(); // strings are read lazily; this moves the parser past the closing quote
            idJson = slice(body, from, p.currentLocation().getByteOffset());
          } else {
            p.skipChildren();
            problem = "id must be a string, a number or null";
          }
        }
        case "method" -> {
          if (value == JsonToken.VALUE_STRING) {
            method = p.getText();
          } else {
            p.skipChildren();
            problem = "method must be a string";
          }
        }
        case "params" -> {
          long from = p.currentTokenLocation().getByteOffset();
          if (value == JsonToken.START_ARRAY || value == JsonToken.START_OBJECT) {
            p.skipChildren();
            params = Arrays.copyOfRange(body, (int) from, (int) p.currentLocation().getByteOffset());
          } else if (value != JsonToken.VALUE_NULL) {
            problem = "params must be an array or an object";
          }
        }
        default -> p.skipChildren();
      }
    }
    int end = (int) p.currentLocation().getByteOffset();
    if (t != JsonToken.END_OBJECT) {
      throw new IOException("malformed object");
    }
    String idForError = idJson == null || problem != null && problem.startsWith("id") ? "null" : idJson;
    if (problem != null) {
      return new Parsed.Invalid(idForError, problem);
    }
    if (!"2.0".equals(version)) {
      return new Parsed.Invalid(idForError, "jsonrpc must be \"2.0\"");
    }
    if (method == null) {
      return new Parsed.Invalid(idForError, "method is missing");
    }
    if (method.isEmpty()) {
      return new Parsed.Invalid(idForError, "method must not be empty");
    }
    return new Parsed.Request(new JsonRpcRequest(start, end - start, idJson, method, params));
  }

  private static String slice(byte[] body, long from, long to) {
    return new String(body, (int) from, (int) (to - from), StandardCharsets.UTF_8).trim();
  }

  /** {@code {"jsonrpc":"2.0","id":ID,"result":RESULT}}; both arguments are JSON text. */
  public static byte[] resultResponse(String idJson, String resultJson) {
    return ("{\"jsonrpc\":\"2.0\",\"id\":" + (idJson == null ? "null" : idJson) + ",\"result\":" + resultJson + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /**
   * An error response.
   *
   * @param idJson   the request's id as JSON text ({@code "null"} when unknown)
   * @param dataJson JSON text for {@code error.data}, or {@code null} to leave it out
   */
  public static byte[] errorResponse(String idJson, int code, String message, String dataJson) {
    StringBuilder s = new StringBuilder(96);
    s.append("{\"jsonrpc\":\"2.0\",\"id\":").append(idJson == null ? "null" : idJson)
        .append(",\"error\":{\"code\":").append(code)
        .append(",\"message\":").append(quote(message));
    if (dataJson != null) {
      s.append(",\"data\":").append(dataJson);
    }
    return s.append("}}").toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Joins already-encoded responses into a batch answer. */
  public static byte[] batchResponse(List<byte[]> replies) {
    int size = 2 + replies.size();
    for (byte[] r : replies) {
      size += r.length;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(size);
    out.write('[');
    for (int i = 0; i < replies.size(); i++) {
      if (i > 0) {
        out.write(',');
      }
      out.writeBytes(replies.get(i));
    }
    out.write(']');
    return out.toByteArray();
  }

  /** A JSON string literal for {@code text}, escaped as RFC 8259 requires. */
  public static String quote(String text) {
    if (text == null) {
      return "null";
    }
    StringBuilder s = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> s.append("\\\"");
        case '\\' -> s.append("\\\\");
        case '\n' -> s.append("\\n");
        case '\r' -> s.append("\\r");
        case '\t' -> s.append("\\t");
        default -> {
          if (c < 0x20) {
            s.append(String.format("\\u%04x", (int) c));
          } else {
            s.append(c);
          }
        }
      }
    }
    return s.append('"').toString();
  }
}
