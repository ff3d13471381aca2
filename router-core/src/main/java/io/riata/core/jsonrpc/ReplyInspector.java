package io.riata.core.jsonrpc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads just enough of a provider's reply to judge it: whether there is a result, and the error's
 * code and message. One pass over the bytes: the whole body is checked, the result is skipped
 * without being decoded, and a result reply allocates nothing (this runs for every attempt).
 *
 * <p>Well-formed means what Jackson's default parser (jackson-core 2.21, which did this job before)
 * accepted, so verdicts did not move when the scanner replaced it; {@code ReplyInspectorDifferentialTest}
 * keeps the two side by side. That is strict JSON in UTF-8 with an optional byte-order mark, and
 * Jackson's limits: nesting up to {@value #MAX_DEPTH} levels, numbers up to {@value #MAX_DIGITS}
 * digits, names up to {@value #MAX_NAME_BYTES} bytes, and UTF-8 checked as Jackson checks it (lead
 * and continuation bytes, not overlong forms; encoded surrogates only in names and the message).
 * Unlike the Jackson version, anything but whitespace after the reply object makes the body malformed.
 */
public final class ReplyInspector {

  static final int MAX_DEPTH = 1000;
  static final int MAX_DIGITS = 1000;
  static final int MAX_NAME_BYTES = 50_000;
  static final int MAX_MESSAGE_CHARS = 20_000_000;

  private static final UpstreamReply RESULT = new UpstreamReply(true, true, null, null, false);
  private static final UpstreamReply NULL_RESULT = new UpstreamReply(true, true, null, null, true);

  private static final byte[] RESULT_NAME = ascii("result");
  private static final byte[] ERROR_NAME = ascii("error");
  private static final byte[] CODE_NAME = ascii("code");
  private static final byte[] MESSAGE_NAME = ascii("message");
  private static final byte[] TRUE = ascii("true");
  private static final byte[] FALSE = ascii("false");
  private static final byte[] NULL = ascii("null");

  // What a byte means inside a string: plain, or the start of something to look at.
  private static final byte PLAIN = 0;
  private static final byte QUOTE = 1;
  private static final byte BACKSLASH = 2;
  private static final byte LEAD_2 = 3;
  private static final byte LEAD_3 = 4;
  private static final byte LEAD_4 = 5;
  private static final byte INVALID = 6;
  private static final byte[] IN_STRING = new byte[256];

  private static final byte[] HEX = new byte[256];

  static {
    for (int c = 0; c < 256; c++) {
      IN_STRING[c] = c < 0x20 ? INVALID
          : c == '"' ? QUOTE
          : c == '\\' ? BACKSLASH
          : c < 0x80 ? PLAIN
          : (c & 0xE0) == 0xC0 ? LEAD_2
          : (c & 0xF0) == 0xE0 ? LEAD_3
          : (c & 0xF8) == 0xF0 ? LEAD_4
          : INVALID;
      HEX[c] = (byte) Character.digit(c, 16);
    }
  }

  /** Eight bytes of a string at a time, to find the next byte that is not plain ASCII text. */
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;

  private ReplyInspector() {}

  public static UpstreamReply inspect(byte[] body) {
    return body == null ? UpstreamReply.MALFORMED : inspect(body, 0, body.length);
  }

  /** Inspects {@code length} bytes of {@code body} from {@code offset}. */
  public static UpstreamReply inspect(byte[] body, int offset, int length) {
    if (body == null || offset < 0 || length <= 0 || offset > body.length - length) {
      return UpstreamReply.MALFORMED;
    }
    byte[] b = body;
    int end = offset + length;
    int p = afterBrace(b, offset, end);
    if (p < 0 || p >= end || b[p] == '}') {
      return UpstreamReply.MALFORMED;
    }
    boolean hasResult = false;
    boolean resultNull = false;
    boolean hasError = false;
    boolean inError = false;
    boolean hasCode = false;
    int code = 0;
    String message = null;
    members:
    while (true) {
      // p is at a member's name, in the reply object or in its error object.
      if (b[p] != '"') {
        return UpstreamReply.MALFORMED;
      }
      int nameStart = p + 1;
      int afterName = skipName(b, nameStart, end);
      if (afterName < 0) {
        return UpstreamReply.MALFORMED;
      }
      int nameEnd = afterName - 1;
      p = skipColon(b, afterName, end);
      if (p < 0) {
        return UpstreamReply.MALFORMED;
      }
      if (!inError) {
        if (nameIs(b, nameStart, nameEnd, RESULT_NAME)) {
          hasResult = true;
          resultNull = b[p] == 'n'; // only the literal null starts so; skipValue checks the rest
          p = skipValue(b, p, end, 1);
        } else if (b[p] == '{' && nameIs(b, nameStart, nameEnd, ERROR_NAME)) {
          hasError = true;
          p = skipWhitespace(b, p + 1, end);
          if (p >= end) {
            return UpstreamReply.MALFORMED;
          }
          if (b[p] != '}') {
            inError = true;
            continue;
          }
          p++;
        } else {
          p = skipValue(b, p, end, 1);
        }
      } else {
        byte first = b[p];
        if ((first == '-' || (first >= '0' && first <= '9')) && nameIs(b, nameStart, nameEnd, CODE_NAME)) {
          int start = p;
          p = skipNumber(b, p, end);
          if (p >= 0 && isInteger(b, start, p)) {
            long value = integerValue(b, start, p);
            if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
              // Jackson's getIntValue() throws on a code that does not fit an int.
              return UpstreamReply.MALFORMED;
            }
            code = (int) value;
            hasCode = true;
          }
        } else if (first == '"' && nameIs(b, nameStart, nameEnd, MESSAGE_NAME)) {
          int start = p + 1;
          p = skipString(b, start, end);
          if (p >= 0) {
            message = decodeString(b, start, p - 1);
            if (message == null) {
              return UpstreamReply.MALFORMED;
            }
          }
        } else {
          p = skipValue(b, p, end, 2);
        }
      }
      if (p < 0) {
        return UpstreamReply.MALFORMED;
      }
      // After a value: the next member, or the end of the error object, or of the reply.
      while (true) {
        p = skipWhitespace(b, p, end);
        if (p >= end) {
          return UpstreamReply.MALFORMED;
        }
        byte c = b[p++];
        if (c == ',') {
          p = skipWhitespace(b, p, end);
          if (p >= end) {
            return UpstreamReply.MALFORMED;
          }
          continue members;
        }
        if (c != '}') {
          return UpstreamReply.MALFORMED;
        }
        if (!inError) {
          break members;
        }
        inError = false;
      }
    }
    if (skipWhitespace(b, p, end) != end || !(hasResult || hasError)) {
      return UpstreamReply.MALFORMED;
    }
    if (!hasError) {
      return resultNull ? NULL_RESULT : RESULT;
    }
    return new UpstreamReply(true, false, hasCode ? Integer.valueOf(code) : null, message);
  }

  /**
   * Whether the first {@code length} bytes of a reply, which may stop anywhere, already show it to
   * be a result: the reply object's members before {@code "result"} are complete and none is
   * {@code "error"}, and the result's value starts with something other than {@code null}. What
   * comes after that start is not looked at. A reply too large to hold may then be passed on as it
   * arrives; one this cannot judge from its start is held and inspected whole.
   */
  public static boolean resultBegins(byte[] body, int offset, int length) {
    if (body == null || offset < 0 || length <= 0 || offset > body.length - length) {
      return false;
    }
    byte[] b = body;
    int end = offset + length;
    int p = afterBrace(b, offset, end);
    while (p >= 0 && p < end && b[p] == '"') {
      int nameStart = p + 1;
      int afterName = skipName(b, nameStart, end);
      if (afterName < 0) {
        return false;
      }
      p = skipColon(b, afterName, end);
      if (p < 0) {
        return false;
      }
      if (nameIs(b, nameStart, afterName - 1, RESULT_NAME)) {
        byte c = b[p];
        return c == '{' || c == '[' || c == '"' || c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f';
      }
      if (nameIs(b, nameStart, afterName - 1, ERROR_NAME)) {
        return false;
      }
      p = skipValue(b, p, end, 1);
      if (p < 0) {
        return false;
      }
      p = skipWhitespace(b, p, end);
      if (p >= end || b[p] != ',') {
        return false;
      }
      p = skipWhitespace(b, p + 1, end);
    }
    return false;
  }

  /**
   * The reply's {@code result} as a quantity ({@code "0x1b4"}: a hex string of at most 15 digits),
   * or -1 when it is not one. For the replies Riata reads a number from, such as
   * {@code eth_blockNumber}'s; call it on a reply {@link #inspect} found well formed.
   */
  public static long resultQuantity(byte[] body, int offset, int length) {
    if (body == null || offset < 0 || length <= 0 || offset > body.length - length) {
      return -1;
    }
    byte[] b = body;
    int end = offset + length;
    int p = offset;
    if (length >= 3 && b[p] == (byte) 0xEF && b[p + 1] == (byte) 0xBB && b[p + 2] == (byte) 0xBF) {
      p += 3;
    }
    p = skipWhitespace(b, p, end);
    if (p >= end || b[p] != '{') {
      return -1;
    }
    p = skipWhitespace(b, p + 1, end);
    while (p < end && b[p] == '"') {
      int nameStart = p + 1;
      int afterName = skipName(b, nameStart, end);
      if (afterName < 0) {
        return -1;
      }
      p = skipColon(b, afterName, end);
      if (p < 0) {
        return -1;
      }
      if (nameIs(b, nameStart, afterName - 1, RESULT_NAME)) {
        return quantityAt(b, p, end);
      }
      p = skipValue(b, p, end, 1);
      if (p < 0) {
        return -1;
      }
      p = skipWhitespace(b, p, end);
      if (p >= end || b[p] != ',') {
        return -1;
      }
      p = skipWhitespace(b, p + 1, end);
    }
    return -1;
  }

  /** A quoted quantity at {@code p}: {@code "0x"} and 1 to 15 hex digits, then the closing quote. */
  private static long quantityAt(byte[] b, int p, int end) {
    if (end - p < 4 || b[p] != '"' || b[p + 1] != '0' || (b[p + 2] != 'x' && b[p + 2] != 'X')) {
      return -1;
    }
    long value = 0;
    int digits = 0;
    for (p += 3; p < end && b[p] != '"'; p++) {
      int d = HEX[b[p] & 0xFF];
      if (d < 0 || ++digits > 15) {
        return -1;
      }
      value = (value << 4) | d;
    }
    return p < end && digits > 0 ? value : -1;
  }

  /**
   * Skips one value that starts at {@code p} and sits {@code depth} containers deep, checking it as
   * it goes. Returns the position after it, or -1 when it is not valid JSON.
   */
  private static int skipValue(byte[] b, int p, int end, int depth) {
    // One bit per open container, set for an object: the first 64 in a long, deeper ones (rare) in an array.
    long objects = 0;
    long[] deeper = null;
    int open = 0;
    while (true) {
      // p is at the start of a value.
      if (p >= end) {
        return -1;
      }
      byte c = b[p];
      if (c == '"') {
        p = skipString(b, p + 1, end);
      } else if (c == '{' || c == '[') {
        if (depth + open >= MAX_DEPTH) {
          return -1;
        }
        boolean object = c == '{';
        if (open < 64) {
          objects = object ? objects | (1L << open) : objects & ~(1L << open);
        } else {
          if (deeper == null) {
            deeper = new long[MAX_DEPTH / 64 + 1];
          }
          int i = open - 64;
          deeper[i >> 6] = object ? deeper[i >> 6] | (1L << i) : deeper[i >> 6] & ~(1L << i);
        }
        open++;
        p = skipWhitespace(b, p + 1, end);
        if (p >= end) {
          return -1;
        }
        if (b[p] != (object ? '}' : ']')) {
          if (object && (p = skipMemberName(b, p, end)) < 0) {
            return -1;
          }
          continue;
        }
        p++;
        open--;
      } else if (c == '-' || (c >= '0' && c <= '9')) {
        p = skipNumber(b, p, end);
      } else {
        p = skipLiteral(b, p, end);
      }
      if (p < 0) {
        return -1;
      }
      // After a value: close what ends here, then the next element or member, if any.
      while (true) {
        if (open == 0) {
          return p;
        }
        p = skipWhitespace(b, p, end);
        if (p >= end) {
          return -1;
        }
        int top = open - 1;
        boolean inObject = top < 64
            ? (objects & (1L << top)) != 0
            : (deeper[(top - 64) >> 6] & (1L << (top - 64))) != 0;
        c = b[p++];
        if (c == ',') {
          p = skipWhitespace(b, p, end);
          if (inObject && (p = skipMemberName(b, p, end)) < 0) {
            return -1;
          }
          break;
        }
        if (c != (inObject ? '}' : ']')) {
          return -1;
        }
        open--;
      }
    }
  }

  /** A member's name and colon at {@code p}; returns where its value starts, or -1. */
  private static int skipMemberName(byte[] b, int p, int end) {
    if (p >= end || b[p] != '"') {
      return -1;
    }
    p = skipName(b, p + 1, end);
    return p < 0 ? -1 : skipColon(b, p, end);
  }

  /**
   * Where the reply object's content starts (past an optional byte-order mark, whitespace, the
   * opening brace and whitespace), or -1 when the bytes do not start an object.
   */
  private static int afterBrace(byte[] b, int offset, int end) {
    int p = offset;
    // Jackson looks for a byte-order mark only in bodies of four bytes or more; nothing shorter is a reply.
    if (end - offset >= 4 && b[p] == (byte) 0xEF && b[p + 1] == (byte) 0xBB && b[p + 2] == (byte) 0xBF) {
      p += 3;
    }
    p = skipWhitespace(b, p, end);
    if (p >= end || b[p] != '{') {
      return -1;
    }
    return skipWhitespace(b, p + 1, end);
  }

  /** Whitespace, a colon, whitespace; returns the position of the value after them, or -1. */
  private static int skipColon(byte[] b, int p, int end) {
    p = skipWhitespace(b, p, end);
    if (p >= end || b[p] != ':') {
      return -1;
    }
    p = skipWhitespace(b, p + 1, end);
    return p >= end ? -1 : p;
  }

  private static int skipWhitespace(byte[] b, int p, int end) {
    while (p < end) {
      byte c = b[p];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        return p;
      }
      p++;
    }
    return p;
  }

  /**
   * The rest of a string from just after its opening quote; returns the position after the closing
   * quote, or -1 for a control character, a bad escape, broken UTF-8 or a missing end.
   */
  private static int skipString(byte[] b, int p, int end) {
    while (true) {
      // Most strings (hex quantities, addresses, hashes) are plain ASCII: eight bytes per step.
      while (end - p >= 8) {
        long found = specialBytes((long) LONGS.get(b, p));
        if (found != 0) {
          // The lowest flag is always a true one (the tests can only over-flag above it).
          p += Long.numberOfTrailingZeros(found) >>> 3;
          break;
        }
        p += 8;
      }
      if (p >= end) {
        return -1;
      }
      byte kind = IN_STRING[b[p++] & 0xFF];
      switch (kind) {
        case PLAIN:
          break;
        case QUOTE:
          return p;
        case BACKSLASH:
          if (escapedChar(b, p, end) < 0) {
            return -1;
          }
          p += b[p] == 'u' ? 5 : 1;
          break;
        case LEAD_2:
        case LEAD_3:
        case LEAD_4:
          p = skipContinuation(b, p, end, kind - LEAD_2 + 1);
          if (p < 0) {
            return -1;
          }
          break;
        default:
          return -1;
      }
    }
  }

  /** The high bit of each byte of {@code w} that is a control character, a quote, a backslash or not ASCII. */
  private static long specialBytes(long w) {
    long quote = w ^ (ONES * '"');
    long backslash = w ^ (ONES * '\\');
    return (((w - ONES * 0x20) & ~w) | ((quote - ONES) & ~quote) | ((backslash - ONES) & ~backslash) | w) & HIGHS;
  }

  /**
   * A member's name from just after its opening quote, checked like a string and for Jackson's
   * limit on a name's length (in UTF-8 bytes, escapes decoded); returns the position after the
   * closing quote, or -1.
   */
  private static int skipName(byte[] b, int p, int end) {
    int bytes = 0;
    while (p < end) {
      byte kind = IN_STRING[b[p++] & 0xFF];
      switch (kind) {
        case PLAIN:
          bytes++;
          break;
        case QUOTE:
          return bytes > MAX_NAME_BYTES ? -1 : p;
        case BACKSLASH: {
          int c = escapedChar(b, p, end);
          if (c < 0) {
            return -1;
          }
          p += b[p] == 'u' ? 5 : 1;
          if (c < 0xD800 || c > 0xDFFF) {
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
            break;
          }
          // Jackson (2.21) turns an escaped name back into UTF-8, so a surrogate must be the high half
          // of a pair whose low half is escaped right after it.
          if (c >= 0xDC00 || p >= end || b[p] != '\\') {
            return -1;
          }
          int low = escapedChar(b, p + 1, end);
          if (low < 0xDC00 || low > 0xDFFF) {
            return -1;
          }
          p += 6;
          bytes += 4;
          break;
        }
        case LEAD_2:
        case LEAD_3:
        case LEAD_4: {
          int more = kind - LEAD_2 + 1;
          if (kind == LEAD_3 && isEncodedSurrogate(b, p - 1, end)) {
            return -1;
          }
          p = skipContinuation(b, p, end, more);
          if (p < 0) {
            return -1;
          }
          bytes += more + 1;
          break;
        }
        default:
          return -1;
      }
    }
    return -1;
  }

  /**
   * Whether the three-byte sequence at {@code p} encodes a UTF-16 surrogate, which Jackson refuses in
   * names and in the strings it decodes (not in those it skips).
   */
  private static boolean isEncodedSurrogate(byte[] b, int p, int end) {
    return b[p] == (byte) 0xED && p + 1 < end && (b[p + 1] & 0xFF) >= 0xA0;
  }

  private static int skipContinuation(byte[] b, int p, int end, int count) {
    if (end - p < count) {
      return -1;
    }
    for (int i = 0; i < count; i++) {
      if ((b[p + i] & 0xC0) != 0x80) {
        return -1;
      }
    }
    return p + count;
  }

  /** The character an escape stands for, {@code p} just after the backslash; -1 if it is not one. */
  private static int escapedChar(byte[] b, int p, int end) {
    if (p >= end) {
      return -1;
    }
    switch (b[p]) {
      case '"':
        return '"';
      case '\\':
        return '\\';
      case '/':
        return '/';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'u':
        if (end - p < 5) {
          return -1;
        }
        int value = 0;
        for (int i = 1; i <= 4; i++) {
          int digit = HEX[b[p + i] & 0xFF];
          if (digit < 0) {
            return -1;
          }
          value = (value << 4) | digit;
        }
        return value;
      default:
        return -1;
    }
  }

  /**
   * A number's end, or -1: an optional minus, an integer part without leading zeros, an optional
   * fraction and exponent, each with at least one digit, and no more digits than Jackson allows.
   */
  private static int skipNumber(byte[] b, int p, int end) {
    if (b[p] == '-') {
      p++;
    }
    if (p >= end) {
      return -1;
    }
    int start = p;
    if (b[p] == '0') {
      p++;
      if (p < end && isDigit(b[p])) {
        return -1;
      }
    } else if (isDigit(b[p])) {
      p = skipDigits(b, p + 1, end);
    } else {
      return -1;
    }
    int digits = p - start;
    if (p < end && b[p] == '.') {
      int from = p + 1;
      p = skipDigits(b, from, end);
      if (p == from) {
        return -1;
      }
      digits += p - from;
    }
    if (p < end && (b[p] | 0x20) == 'e') {
      p++;
      if (p < end && (b[p] == '+' || b[p] == '-')) {
        p++;
      }
      int from = p;
      p = skipDigits(b, from, end);
      if (p == from) {
        return -1;
      }
      digits += p - from;
    }
    return digits > MAX_DIGITS ? -1 : p;
  }

  private static int skipDigits(byte[] b, int p, int end) {
    while (p < end && isDigit(b[p])) {
      p++;
    }
    return p;
  }

  private static boolean isDigit(byte c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isInteger(byte[] b, int start, int end) {
    for (int i = start; i < end; i++) {
      byte c = b[i];
      if (c == '.' || c == 'e' || c == 'E') {
        return false;
      }
    }
    return true;
  }

  /** A valid integer's value; anything with more than ten digits is out of int range anyway. */
  private static long integerValue(byte[] b, int start, int end) {
    boolean negative = b[start] == '-';
    int p = negative ? start + 1 : start;
    if (end - p > 10) {
      return Long.MAX_VALUE;
    }
    long value = 0;
    for (; p < end; p++) {
      value = value * 10 + (b[p] - '0');
    }
    return negative ? -value : value;
  }

  private static int skipLiteral(byte[] b, int p, int end) {
    byte[] word;
    switch (b[p]) {
      case 't':
        word = TRUE;
        break;
      case 'f':
        word = FALSE;
        break;
      case 'n':
        word = NULL;
        break;
      default:
        return -1;
    }
    int stop = p + word.length;
    return stop <= end && Arrays.equals(b, p, stop, word, 0, word.length) ? stop : -1;
  }

  /** Whether the name between {@code p} and {@code stop} (its closing quote) is {@code target}, escapes decoded. */
  private static boolean nameIs(byte[] b, int p, int stop, byte[] target) {
    int n = stop - p;
    if (n == target.length) {
      return Arrays.equals(b, p, stop, target, 0, n);
    }
    if (n < target.length) {
      return false;
    }
    // Longer in bytes: equal only if escapes spell it, as in "res\u0075lt".
    int i = 0;
    while (p < stop) {
      if (i == target.length) {
        return false;
      }
      int c = b[p++];
      if (c == '\\') {
        c = escapedChar(b, p, stop);
        p += b[p] == 'u' ? 5 : 1;
      }
      if (c != target[i++]) {
        return false;
      }
    }
    return i == target.length;
  }

  /**
   * A string already checked by {@link #skipString}, decoded the way Jackson decodes it (overlong
   * forms pass as they come); {@code null} where Jackson fails: an encoded surrogate, or a string
   * past its length limit.
   */
  private static String decodeString(byte[] b, int p, int stop) {
    int n = stop - p;
    boolean plain = true;
    for (int i = p; i < stop; i++) {
      byte c = b[i];
      if (c < 0 || c == '\\') {
        plain = false;
        break;
      }
    }
    if (plain) {
      return n > MAX_MESSAGE_CHARS ? null : new String(b, p, n, StandardCharsets.ISO_8859_1);
    }
    char[] out = new char[n];
    int o = 0;
    while (p < stop) {
      int c = b[p++] & 0xFF;
      if (c == '\\') {
        out[o++] = (char) escapedChar(b, p, stop);
        p += b[p] == 'u' ? 5 : 1;
      } else if (c < 0x80) {
        out[o++] = (char) c;
      } else if (c < 0xE0) {
        out[o++] = (char) (((c & 0x1F) << 6) | (b[p] & 0x3F));
        p += 1;
      } else if (c < 0xF0) {
        if (isEncodedSurrogate(b, p - 1, stop)) {
          return null;
        }
        out[o++] = (char) (((c & 0x0F) << 12) | ((b[p] & 0x3F) << 6) | (b[p + 1] & 0x3F));
        p += 2;
      } else {
        int v = (((c & 0x07) << 18) | ((b[p] & 0x3F) << 12) | ((b[p + 1] & 0x3F) << 6) | (b[p + 2] & 0x3F))
            - 0x10000;
        out[o++] = (char) (0xD800 | (v >> 10));
        out[o++] = (char) (0xDC00 | (v & 0x3FF));
        p += 3;
      }
    }
    return o > MAX_MESSAGE_CHARS ? null : new String(out, 0, o);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
