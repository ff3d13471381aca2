package io.riata.http.data.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.riata.core.jsonrpc.ReplyInspector;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Reads a provider's HTTP/1.x answers into {@link Response}s: the status, {@code Retry-After},
 * whether the connection stays open, and the body, which is a slice of the bytes as they arrived
 * (fixed length) or a composite of the chunks' slices (chunked), never a copy. Only the headers
 * the router needs are looked at, and no header map is built: every other header is skipped.
 * Answers of the 1xx kind are skipped; a body without a length ends with the connection.
 *
 * <p>A body larger than {@link #passThroughAbove} (fixed length or chunked) whose start shows a
 * result is not held whole: the bytes so far go out as the response's {@link StreamHead}, and the
 * rest follows as {@link Part}s as it arrives.
 */
final class UpstreamResponseDecoder extends ByteToMessageDecoder {

  /**
   * One answer. The body belongs to whoever takes the response.
   *
   * @param retryAfter the {@code Retry-After} header, or {@code null}
   * @param keepAlive  the connection may carry another request
   */
  record Response(int status, String retryAfter, boolean keepAlive, ByteBuf body) {}

  /** More of a body passed through, after its {@link StreamHead}; {@code last} ends it. */
  record Part(ByteBuf data, boolean last) {}

  private enum State { STATUS, HEADERS, FIXED, FIXED_PASSING, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, UNTIL_CLOSE }

  /** How much of a body's start is looked at to find its result. */
  private static final int JUDGED_BYTES = 4096;

  private static final byte[] CONTENT_LENGTH = bytes("content-length");
  private static final byte[] TRANSFER_ENCODING = bytes("transfer-encoding");
  private static final byte[] CONNECTION = bytes("connection");
  private static final byte[] RETRY_AFTER = bytes("retry-after");
  private static final byte[] CHUNKED = bytes("chunked");
  private static final byte[] CLOSE = bytes("close");
  private static final byte[] KEEP_ALIVE = bytes("keep-alive");

  private final int maxHeaderBytes;
  private final int maxBodyBytes;
  private State state = State.STATUS;
  private int headerBytes;
  private int status;
  private boolean keepAlive;
  private long contentLength;
  private boolean chunked;
  private String retryAfter;
  private long remaining;
  private CompositeByteBuf chunks;
  /** The stream went wrong once: nothing more is read from it. */
  private boolean failed;
  /**
   * Bodies larger than this may be passed through; set by each exchange before it sends
   * ({@link Long#MAX_VALUE}: never).
   */
  long passThroughAbove = Long.MAX_VALUE;
  /** The current body may still be passed through (large enough and not judged yet). */
  private boolean mayPass;
  /** The current body is being passed through; bytes of it sent on so far. */
  private boolean passing;
  private long passed;

  UpstreamResponseDecoder(int maxHeaderBytes, int maxBodyBytes) {
    this.maxHeaderBytes = maxHeaderBytes;
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes()); // the connection is being closed; what follows means nothing
      return;
    }
    try {
      decodeAnswers(ctx, in, out);
    } catch (RuntimeException e) {
      failed = true;
      release();
      in.skipBytes(in.readableBytes());
      throw e;
    }
  }

  private void decodeAnswers(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    for (;;) {
      switch (state) {
        case STATUS -> {
          int eol = lineEnd(in, true);
          if (eol < 0) {
            return;
          }
          statusLine(in, eol);
        }
        case HEADERS -> {
          int eol = lineEnd(in, false);
          if (eol < 0) {
            return;
          }
          if (eol == in.readerIndex()) {
            in.skipBytes(2);
            if (!endOfHeaders(ctx, out)) {
              continue;
            }
          } else {
            header(in, eol);
          }
        }
        case FIXED -> {
          if (mayPass && in.readableBytes() >= Math.min(remaining, JUDGED_BYTES)) {
            mayPass = false;
            if (resultBegins(in, in.readerIndex(), in.readableBytes())) {
              int n = (int) Math.min(in.readableBytes(), remaining);
              remaining -= n;
              StreamHead head = new StreamHead(ctx.alloc(), contentLength);
              head.addComponent(true, in.readRetainedSlice(n));
              out.add(new Response(status, retryAfter, keepAlive, head));
              passing = true;
              state = State.FIXED_PASSING;
              continue;
            }
          }
          if (in.readableBytes() < remaining) {
            return;
          }
          emit(out, in.readRetainedSlice((int) remaining));
        }
        case FIXED_PASSING -> {
          if (remaining == 0) {
            endPassing(out);
            continue;
          }
          int n = (int) Math.min(in.readableBytes(), remaining);
          if (n == 0) {
            return;
          }
          remaining -= n;
          out.add(new Part(in.readRetainedSlice(n), false));
        }
        case CHUNK_SIZE -> {
          int eol = lineEnd(in, false);
          if (eol < 0) {
            return;
          }
          long size = chunkSize(in, eol);
          if ((passing ? passed : chunks.readableBytes()) + size > maxBodyBytes) {
            throw new TooLongFrameException("chunked reply over " + maxBodyBytes + " bytes");
          }
          remaining = size;
          state = size == 0 ? State.TRAILERS : State.CHUNK_DATA;
        }
        case CHUNK_DATA -> {
          int n = (int) Math.min(in.readableBytes(), remaining);
          if (n == 0) {
            return;
          }
          remaining -= n;
          if (remaining == 0) {
            state = State.CHUNK_END;
          }
          if (passing) {
            passed += n;
            out.add(new Part(in.readRetainedSlice(n), false));
            continue;
          }
          chunks.addComponent(true, in.readRetainedSlice(n));
          if (mayPass && chunks.readableBytes() > passThroughAbove) {
            mayPass = false;
            if (resultBegins(chunks, 0, chunks.readableBytes())) {
              StreamHead head = new StreamHead(ctx.alloc(), -1);
              passed = chunks.readableBytes();
              head.addComponent(true, chunks);
              chunks = null;
              out.add(new Response(status, retryAfter, keepAlive, head));
              passing = true;
            }
          }
        }
        case CHUNK_END -> {
          if (in.readableBytes() < 2) {
            return;
          }
          if (in.readByte() != '\r' || in.readByte() != '\n') {
            throw new CorruptedFrameException("a chunk did not end with CRLF");
          }
          state = State.CHUNK_SIZE;
        }
        case TRAILERS -> {
          int eol = lineEnd(in, false);
          if (eol < 0) {
            return;
          }
          boolean last = eol == in.readerIndex();
          in.readerIndex(eol + 2);
          if (last && passing) {
            endPassing(out);
          } else if (last) {
            CompositeByteBuf body = chunks;
            chunks = null;
            emit(out, body);
          }
        }
        case UNTIL_CLOSE -> {
          int n = in.readableBytes();
          if (n == 0) {
            return;
          }
          if (chunks.readableBytes() + (long) n > maxBodyBytes) {
            throw new TooLongFrameException("reply over " + maxBodyBytes + " bytes");
          }
          chunks.addComponent(true, in.readRetainedSlice(n));
          return;
        }
        default -> throw new IllegalStateException(String.valueOf(state));
      }
    }
  }

  /** The connection ended: a body that runs until the end is complete now. */
  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
    decode(ctx, in, out);
    if (state == State.UNTIL_CLOSE && !failed) {
      CompositeByteBuf body = chunks;
      chunks = null;
      emit(out, body);
    }
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    release();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    super.channelInactive(ctx);
    release();
  }

  private void release() {
    if (chunks != null) {
      chunks.release();
      chunks = null;
    }
  }

  private void emit(List<Object> out, ByteBuf body) {
    out.add(new Response(status, retryAfter, keepAlive, body));
    state = State.STATUS;
  }

  private void endPassing(List<Object> out) {
    out.add(new Part(Unpooled.EMPTY_BUFFER, true));
    passing = false;
    state = State.STATUS;
  }

  /** {@link ReplyInspector#resultBegins} on the first bytes of {@code buf} from {@code from}. */
  private static boolean resultBegins(ByteBuf buf, int from, int readable) {
    int n = Math.min(readable, JUDGED_BYTES);
    byte[] start = new byte[n];
    buf.getBytes(from, start, 0, n);
    return ReplyInspector.resultBegins(start, 0, n);
  }

  /** The index of the CR of the next CRLF, or -1 when the line is not complete yet. */
  private int lineEnd(ByteBuf in, boolean statusLine) {
    int lf = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
    if (lf < 0) {
      if (headerBytes + in.readableBytes() > maxHeaderBytes) {
        throw statusLine ? new TooLongHttpLineException("status line over " + maxHeaderBytes + " bytes")
            : new TooLongHttpHeaderException("reply headers over " + maxHeaderBytes + " bytes");
      }
      return -1;
    }
    if (lf == in.readerIndex() || in.getByte(lf - 1) != '\r') {
      throw new CorruptedFrameException("a line of the reply head did not end with CRLF");
    }
    if (state == State.STATUS || state == State.HEADERS) {
      headerBytes += lf + 1 - in.readerIndex();
      if (headerBytes > maxHeaderBytes) {
        throw new TooLongHttpHeaderException("reply headers over " + maxHeaderBytes + " bytes");
      }
    }
    return lf - 1;
  }

  /** {@code HTTP/1.1 200 OK}: the version decides keep-alive by default, the code is read. */
  private void statusLine(ByteBuf in, int eol) {
    int at = in.readerIndex();
    if (eol - at < 12 || in.getByte(at) != 'H' || in.getByte(at + 1) != 'T' || in.getByte(at + 2) != 'T'
        || in.getByte(at + 3) != 'P' || in.getByte(at + 4) != '/' || in.getByte(at + 5) != '1'
        || in.getByte(at + 6) != '.' || in.getByte(at + 8) != ' ') {
      throw new CorruptedFrameException("not an HTTP/1.x status line");
    }
    int code = 0;
    for (int i = at + 9; i < at + 12; i++) {
      int d = in.getByte(i) - '0';
      if (d < 0 || d > 9) {
        throw new CorruptedFrameException("the status code is not three digits");
      }
      code = code * 10 + d;
    }
    status = code;
    keepAlive = in.getByte(at + 7) == '1'; // HTTP/1.1 keeps the connection unless told otherwise
    contentLength = -1;
    chunked = false;
    retryAfter = null;
    mayPass = false;
    passing = false;
    passed = 0;
    in.readerIndex(eol + 2);
    state = State.HEADERS;
  }

  private void header(ByteBuf in, int eol) {
    int start = in.readerIndex();
    int colon = in.indexOf(start, eol, (byte) ':');
    if (colon <= start) {
      throw new CorruptedFrameException("a reply header without a name");
    }
    int valueStart = colon + 1;
    while (valueStart < eol && isBlank(in.getByte(valueStart))) {
      valueStart++;
    }
    int valueEnd = eol;
    while (valueEnd > valueStart && isBlank(in.getByte(valueEnd - 1))) {
      valueEnd--;
    }
    int nameLength = colon - start;
    if (is(in, start, nameLength, CONTENT_LENGTH)) {
      contentLength = digits(in, valueStart, valueEnd);
    } else if (is(in, start, nameLength, TRANSFER_ENCODING)) {
      chunked = contains(in, valueStart, valueEnd, CHUNKED);
    } else if (is(in, start, nameLength, CONNECTION)) {
      if (contains(in, valueStart, valueEnd, CLOSE)) {
        keepAlive = false;
      } else if (contains(in, valueStart, valueEnd, KEEP_ALIVE)) {
        keepAlive = true;
      }
    } else if (is(in, start, nameLength, RETRY_AFTER)) {
      retryAfter = in.toString(valueStart, valueEnd - valueStart, StandardCharsets.US_ASCII);
    }
    in.readerIndex(eol + 2);
  }

  /** Decides how the body is framed; {@code false} when the answer was interim (1xx) and skipped. */
  private boolean endOfHeaders(ChannelHandlerContext ctx, List<Object> out) {
    headerBytes = 0;
    if (status >= 100 && status < 200) {
      state = State.STATUS;
      return false;
    }
    if (status == 204 || status == 304) {
      emit(out, Unpooled.EMPTY_BUFFER);
    } else if (chunked) {
      chunks = ctx.alloc().compositeBuffer(64);
      mayPass = status == 200;
      state = State.CHUNK_SIZE;
    } else if (contentLength >= 0) {
      if (contentLength > maxBodyBytes) {
        throw new TooLongFrameException("reply of " + contentLength + " bytes, over " + maxBodyBytes);
      }
      mayPass = status == 200 && contentLength > passThroughAbove;
      remaining = contentLength;
      state = State.FIXED;
    } else {
      keepAlive = false; // the body runs until the connection ends
      chunks = ctx.alloc().compositeBuffer(64);
      state = State.UNTIL_CLOSE;
    }
    return true;
  }

  private static long chunkSize(ByteBuf in, int eol) {
    long size = 0;
    int i = in.readerIndex();
    int digits = 0;
    for (; i < eol; i++) {
      byte b = in.getByte(i);
      int d = b >= '0' && b <= '9' ? b - '0' : b >= 'a' && b <= 'f' ? b - 'a' + 10 : b >= 'A' && b <= 'F' ? b - 'A' + 10 : -1;
      if (d < 0) {
        break; // a chunk extension (";...") or blanks follow
      }
      size = size * 16 + d;
      if (++digits > 8) {
        throw new TooLongFrameException("a chunk size over 8 hex digits");
      }
    }
    if (digits == 0) {
      throw new CorruptedFrameException("a chunk without a size");
    }
    in.readerIndex(eol + 2);
    return size;
  }

  private static long digits(ByteBuf in, int from, int to) {
    if (from == to || to - from > 12) {
      throw new CorruptedFrameException("a Content-Length that is not a number");
    }
    long n = 0;
    for (int i = from; i < to; i++) {
      int d = in.getByte(i) - '0';
      if (d < 0 || d > 9) {
        throw new CorruptedFrameException("a Content-Length that is not a number");
      }
      n = n * 10 + d;
    }
    return n;
  }

  private static boolean is(ByteBuf in, int at, int length, byte[] lowerName) {
    if (length != lowerName.length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (lower(in.getByte(at + i)) != lowerName[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean contains(ByteBuf in, int from, int to, byte[] lowerWord) {
    outer:
    for (int i = from; i <= to - lowerWord.length; i++) {
      for (int j = 0; j < lowerWord.length; j++) {
        if (lower(in.getByte(i + j)) != lowerWord[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static byte lower(byte b) {
    return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
  }

  private static boolean isBlank(byte b) {
    return b == ' ' || b == '\t';
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
