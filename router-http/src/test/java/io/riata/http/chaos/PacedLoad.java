package io.riata.http.chaos;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.ScheduledFuture;
import io.riata.http.TestNodes;
import io.riata.http.data.EventLoops;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads ({@code eth_getBalance} at {@code latest}) sent to one node over a fixed number of
 * kept-alive connections, one read at a time on each, in one of two ways:
 *
 * <ul>
 *   <li><b>open loop</b>: read i is due at {@code start + i / rate}, whatever happened to the reads
 *   before it, as when many independent clients call. A read due while every connection is busy
 *   waits in this client, oldest first, and its latency counts from when it was due, so a server
 *   that stalls cannot hide the stall by slowing its clients down (no coordinated omission);
 *   {@link ChaosLoad.Read#queuedNanos()} says how long it waited for a connection.
 *   <li><b>closed loop</b>: each connection sends its next read as soon as the last is answered,
 *   which finds how much a server can take at a given number of clients.
 * </ul>
 *
 * <p>A read not answered within {@link #TIMEOUT} of being due is given up, as a client with a
 * timeout does: one still waiting for a connection is dropped unsent, one on the wire has its
 * connection closed (and opened again). When the load ends, reads still waiting are dropped unsent
 * and those on the wire get their answers. Every read due is either recorded once in
 * {@link #reads} or counted in {@link #neverSent()}: reads never sent are only counted, since
 * under overload they can be most of them and recording each would cost the client the CPU it
 * needs to keep up.
 *
 * <p>The connections are split into lanes, one per event loop of the load's own (two), each lane
 * sending every second read of the schedule on its share of the connections, without locks; the
 * reads are kept for the scenario to cut into windows afterwards.
 */
final class PacedLoad implements AutoCloseable {

  static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final EventLoops LOOPS = EventLoops.start(2);
  private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final long SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final AsciiString ATTEMPTS = AsciiString.cached("X-Riata-Attempts");
  private static final AsciiString ATTEMPT_LOG = AsciiString.cached("X-Riata-Attempt-Log");

  final ConcurrentLinkedQueue<ChaosLoad.Read> reads = new ConcurrentLinkedQueue<>();
  private final EventLoops loops;
  private final String nodeName;
  private final int port;
  private final String path;
  private final AsciiString host;
  /** Reads a second; 0 for a closed loop. */
  private final double perSecond;
  private final long lengthNanos;
  private final List<Lane> lanes = new ArrayList<>();
  private final AtomicInteger ids = new AtomicInteger();
  private volatile long startNanos;

  private PacedLoad(String nodeName, int port, String path, double perSecond, int connections, Duration length) {
    this(nodeName, port, path, perSecond, connections, length, LOOPS);
  }

  private PacedLoad(String nodeName, int port, String path, double perSecond, int connections, Duration length,
                    EventLoops loops) {
    this.loops = loops;
    this.nodeName = nodeName;
    this.port = port;
    this.path = path;
    this.host = AsciiString.of("127.0.0.1:" + port);
    this.perSecond = perSecond;
    this.lengthNanos = length.toNanos();
    TestNodes.call("eth_getBalance", "[]", 0); // loads the class (and its JSON mapper) before the clock starts
    int count = Math.min(loops.loops().size(), connections);
    for (int k = 0; k < count; k++) {
      lanes.add(new Lane(loops.loops().get(k), k, count, connections / count + (k < connections % count ? 1 : 0)));
    }
  }

  /** {@code perSecond} reads a second over {@code connections} connections, for {@code length}; started when connected. */
  static PacedLoad open(ChaosNode node, String chain, double perSecond, int connections, Duration length)
      throws InterruptedException {
    return open(node, chain, perSecond, connections, length, 0);
  }

  /**
   * The same, but the first read is due at {@code startAtNanos} (nanoTime) if that is later than
   * when the connections are open: a load can be connected ahead of the moment it must start.
   */
  static PacedLoad open(ChaosNode node, String chain, double perSecond, int connections, Duration length,
                        long startAtNanos) throws InterruptedException {
    return open(node.name, node.httpPort, "/rpc/" + chain, perSecond, connections, length, startAtNanos);
  }

  /** The same against any JSON-RPC server on 127.0.0.1 ({@code name} goes into the reads). */
  static PacedLoad open(String name, int port, String path, double perSecond, int connections, Duration length,
                        long startAtNanos) throws InterruptedException {
    if (perSecond <= 0) {
      throw new IllegalArgumentException("an open loop needs a rate above 0, got " + perSecond);
    }
    return new PacedLoad(name, port, path, perSecond, connections, length).begin(startAtNanos);
  }

  /**
   * The same on {@code loops} instead of the load's own two event loops: a canary, a light load
   * beside a heavy one on loops of its own, times its reads with a clock that is not behind.
   */
  static PacedLoad open(ChaosNode node, String chain, double perSecond, int connections, Duration length,
                        long startAtNanos, EventLoops loops) throws InterruptedException {
    return new PacedLoad(node.name, node.httpPort, "/rpc/" + chain, perSecond, connections, length, loops)
        .begin(startAtNanos);
  }

  /** {@code connections} connections each reading as fast as it is answered, for {@code length}. */
  static PacedLoad closed(ChaosNode node, String chain, int connections, Duration length) throws InterruptedException {
    return closed(node.name, node.httpPort, "/rpc/" + chain, connections, length);
  }

  static PacedLoad closed(String name, int port, String path, int connections, Duration length)
      throws InterruptedException {
    return new PacedLoad(name, port, path, 0, connections, length).begin(0);
  }

  /**
   * Waits until every connection is open, then starts the clock, at once or at {@code startAtNanos}
   * if that is later: connecting is not part of the load.
   */
  private PacedLoad begin(long startAtNanos) throws InterruptedException {
    try {
      CompletableFuture.allOf(lanes.stream().map(l -> l.connected).toArray(CompletableFuture[]::new))
          .get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      lanes.forEach(l -> l.loop.execute(l::stop));
      throw new IllegalStateException("could not open the load's connections to " + nodeName + " within 30 s", e);
    }
    long now = System.nanoTime();
    startNanos = Math.max(now, startAtNanos);
    for (Lane lane : lanes) {
      lane.loop.schedule(lane::start, startNanos - now, TimeUnit.NANOSECONDS);
    }
    return this;
  }

  /** When the first read was due (nanoTime). */
  long startNanos() {
    return startNanos;
  }

  /** When the last read may be due (nanoTime). */
  long endNanos() {
    return startNanos + lengthNanos;
  }

  /** Reads due that never left the client: no connection was free within the timeout, or before the load ended. */
  long neverSent() {
    return lanes.stream().mapToLong(l -> l.neverSent).sum();
  }

  /**
   * How late the load's own event loops ran a task due every 100 ms (ascending, nanoseconds): a
   * client that is behind reads its answers late, and that delay is in the latencies it measures.
   * Read it once the load has ended.
   */
  long[] loopLags() {
    return lanes.stream().flatMap(l -> l.lags.stream()).mapToLong(Long::longValue).sorted().toArray();
  }

  /** Waits until the load has run its length and every read on the wire has its answer or timed out. */
  void awaitEnd() throws InterruptedException {
    long wait = Math.max(0, endNanos() - System.nanoTime()) + TIMEOUT.toNanos() + TimeUnit.SECONDS.toNanos(5);
    try {
      CompletableFuture.allOf(lanes.stream().map(l -> l.ended).toArray(CompletableFuture[]::new))
          .get(wait, TimeUnit.NANOSECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the load on " + nodeName + " did not end", e);
    }
  }

  /** Stops sending now (reads still waiting are dropped), then waits for the reads on the wire. */
  @Override
  public void close() throws InterruptedException {
    lanes.forEach(l -> l.loop.execute(l::stop));
    awaitEnd();
  }

  /**
   * Some of the connections on one event loop, and every {@code count}-th read of the schedule
   * starting with read {@code index}. Touched on its event loop only, but for the futures and
   * {@link #neverSent}, read once the lane has ended.
   */
  private final class Lane {
    final EventLoop loop;
    final int index;
    final int count;
    final CompletableFuture<Void> connected = new CompletableFuture<>();
    final CompletableFuture<Void> ended = new CompletableFuture<>();
    final List<Conn> conns = new ArrayList<>();
    final ArrayDeque<Conn> idle = new ArrayDeque<>();
    /** Due times of the reads waiting for a connection, oldest first. */
    final DueTimes waiting = new DueTimes();
    /** Reads of this lane issued so far: the next is read {@code index + issued * count} of the schedule. */
    long issued;
    long neverSent;
    /** How late each sweep ran, in nanoseconds: how far behind the lane's event loop was. */
    final List<Long> lags = new ArrayList<>();
    long nextSweep;
    int busy;
    int up;
    boolean started;
    boolean stopping;
    ScheduledFuture<?> ticker;
    ScheduledFuture<?> sweeper;

    Lane(EventLoop loop, int index, int count, int connections) {
      this.loop = loop;
      this.index = index;
      this.count = count;
      loop.execute(() -> {
        for (int i = 0; i < connections; i++) {
          Conn conn = new Conn(this);
          conns.add(conn);
          conn.connect();
        }
      });
    }

    void start() {
      if (stopping) {
        return; // closed before it began
      }
      started = true;
      if (perSecond > 0) {
        ticker = loop.scheduleAtFixedRate(this::tick, 0, TICK_NANOS, TimeUnit.NANOSECONDS);
      } else {
        Conn conn;
        while ((conn = idle.pollFirst()) != null) {
          conn.send(startNanos);
        }
      }
      nextSweep = System.nanoTime() + SWEEP_NANOS;
      sweeper = loop.scheduleAtFixedRate(this::sweep, SWEEP_NANOS, SWEEP_NANOS, TimeUnit.NANOSECONDS);
    }

    /** Reads of this lane due by now ({@code index}, {@code index + count}, ...), and no more than the load's length holds. */
    private long dueBy(long elapsedNanos) {
      long reads = Math.min((long) (lengthNanos / 1e9 * perSecond), (long) (elapsedNanos / 1e9 * perSecond) + 1);
      return reads <= index ? 0 : (reads - index - 1) / count + 1;
    }

    void tick() {
      if (stopping) {
        return;
      }
      long due = dueBy(System.nanoTime() - startNanos);
      for (; issued < due; issued++) {
        long dueAt = startNanos + (long) ((index + issued * count) * 1e9 / perSecond);
        Conn conn = idle.pollFirst();
        if (conn != null) {
          conn.send(dueAt);
        } else {
          waiting.add(dueAt);
        }
      }
    }

    void sweep() {
      long now = System.nanoTime();
      lags.add(Math.max(0, now - nextSweep));
      nextSweep += SWEEP_NANOS;
      if (!stopping && now - startNanos >= lengthNanos) {
        stop();
        return;
      }
      while (!waiting.isEmpty() && now - waiting.first() > TIMEOUT.toNanos()) {
        waiting.removeFirst();
        neverSent++;
      }
      for (Conn conn : conns) {
        if (conn.busy && now - conn.due > TIMEOUT.toNanos()) {
          conn.giveUp(now);
        }
      }
    }

    /** No more reads: those waiting are dropped, those on the wire get their answers. */
    void stop() {
      if (stopping) {
        return;
      }
      stopping = true;
      if (ticker != null) {
        ticker.cancel(false);
      }
      neverSent += waiting.size();
      waiting.clear();
      endIfIdle();
    }

    void endIfIdle() {
      if (stopping && busy == 0 && !ended.isDone()) {
        if (sweeper != null) {
          sweeper.cancel(false);
        }
        for (Conn conn : conns) {
          if (conn.channel != null) {
            conn.channel.close();
          }
        }
        connected.completeExceptionally(new IllegalStateException("stopped"));
        ended.complete(null);
      }
    }

    /** A connection with nothing on the wire: it takes the oldest waiting read, or the next closed-loop read, or waits. */
    void free(Conn conn) {
      idle.remove(conn);
      if (stopping || !started) {
        idle.addLast(conn);
        endIfIdle();
        return;
      }
      long now = System.nanoTime();
      if (perSecond <= 0) {
        if (now - startNanos < lengthNanos) {
          conn.send(now);
        }
        return;
      }
      while (!waiting.isEmpty()) {
        long dueAt = waiting.removeFirst();
        if (now - dueAt <= TIMEOUT.toNanos()) {
          conn.send(dueAt);
          return;
        }
        neverSent++;
      }
      idle.addLast(conn);
    }
  }

  /** One kept-alive connection and the read on it, if any. */
  private final class Conn {
    final Lane lane;
    Channel channel;
    boolean busy;
    int id;
    long due;
    long sent;

    Conn(Lane lane) {
      this.lane = lane;
    }

    void connect() {
      Bootstrap bootstrap = new Bootstrap().group(lane.loop).channel(loops.socketChannel())
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2_000)
          .handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20), new Answers(Conn.this));
            }
          });
      bootstrap.connect("127.0.0.1", port).addListener((ChannelFuture f) -> {
        if (f.isSuccess()) {
          channel = f.channel();
          if (!lane.started && ++lane.up == lane.conns.size()) {
            lane.connected.complete(null);
          }
          lane.free(this);
        } else if (!lane.stopping) {
          lane.loop.schedule(this::connect, 100, TimeUnit.MILLISECONDS);
        }
      });
    }

    void send(long dueAt) {
      id = ids.incrementAndGet();
      due = dueAt;
      busy = true;
      lane.busy++;
      FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path,
          body(channel.alloc(), id), false);
      request.headers().set(HttpHeaderNames.HOST, host).set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
          .setInt(HttpHeaderNames.CONTENT_LENGTH, request.content().readableBytes());
      sent = System.nanoTime();
      if (perSecond <= 0) {
        due = sent; // a closed loop sends when it means to
      }
      channel.writeAndFlush(request).addListener(ChannelFutureListener.CLOSE_ON_FAILURE); // lost() counts the read
    }

    void answered(FullHttpResponse response) {
      long now = System.nanoTime();
      if (!busy) {
        return;
      }
      HttpHeaders headers = response.headers();
      int status = response.status().code();
      String attempts = headers.get(ATTEMPTS);
      String attemptLog = headers.get(ATTEMPT_LOG);
      boolean retryAfter = headers.contains(HttpHeaderNames.RETRY_AFTER);
      ByteBuf content = response.content();
      // Most answers are good ones: judged without building a string or a tree. Any other is
      // judged in full, for the problem it reports.
      reads.add(status == 200 && good(content, id)
          ? ChaosLoad.good(nodeName, due, now, sent - due, attempts, attemptLog, retryAfter)
          : ChaosLoad.read(nodeName, due, now, sent - due, id, status, content.toString(StandardCharsets.UTF_8),
              attempts, attemptLog, retryAfter));
      done();
      if (HttpUtil.isKeepAlive(response)) {
        lane.free(this);
      } else {
        channel.close(); // lost() opens another
      }
    }

    void lost(Channel closed) {
      if (closed != channel) {
        return;
      }
      channel = null;
      lane.idle.remove(this);
      if (busy) {
        reads.add(ChaosLoad.Read.unanswered(nodeName, due, System.nanoTime(), "connection closed"));
        done();
      }
      if (!lane.stopping) {
        connect();
      }
      lane.endIfIdle();
    }

    /** No answer within the timeout: the read fails and the connection is replaced, as a client with a timeout does. */
    void giveUp(long now) {
      reads.add(ChaosLoad.Read.unanswered(nodeName, due, now, "no answer within " + TIMEOUT.toSeconds() + " s"));
      done();
      Channel stale = channel;
      channel = null;
      stale.close();
      if (!lane.stopping) {
        connect();
      }
      lane.endIfIdle();
    }

    private void done() {
      busy = false;
      lane.busy--;
    }
  }

  /** Due times in arrival order, without boxing: a growing ring of longs. */
  private static final class DueTimes {
    private long[] ring = new long[1024];
    private int head;
    private int size;

    boolean isEmpty() {
      return size == 0;
    }

    int size() {
      return size;
    }

    long first() {
      return ring[head];
    }

    void add(long value) {
      if (size == ring.length) {
        long[] grown = new long[ring.length * 2];
        for (int i = 0; i < size; i++) {
          grown[i] = ring[(head + i) % ring.length];
        }
        ring = grown;
        head = 0;
      }
      ring[(head + size++) % ring.length] = value;
    }

    long removeFirst() {
      long value = ring[head];
      head = (head + 1) % ring.length;
      size--;
      return value;
    }

    void clear() {
      head = 0;
      size = 0;
    }
  }

  /**
   * The bytes of read {@code id}: {@code eth_getBalance} of the address {@code id} (in hex) at
   * {@code latest}, as {@link TestNodes#call} writes it.
   */
  static ByteBuf body(ByteBufAllocator alloc, int id) {
    String hex = Integer.toHexString(id);
    StringBuilder json = new StringBuilder(128).append("{\"jsonrpc\":\"2.0\",\"id\":").append(id)
        .append(",\"method\":\"eth_getBalance\",\"params\":[\"0x");
    for (int i = hex.length(); i < 40; i++) {
      json.append('0');
    }
    json.append(hex).append("\",\"latest\"]}");
    ByteBuf buf = alloc.heapBuffer(json.length());
    ByteBufUtil.writeAscii(buf, json);
    return buf;
  }

  private static final JsonFactory JSON = new JsonFactory();

  /**
   * Whether {@code body} is a good answer to request {@code id} (a JSON object with that id, a
   * result that is not null, no error), read as a stream of tokens: a quick judgement that passes
   * nothing {@link io.riata.http.ReadTally#problem} would not; an answer it does not pass is
   * judged by that in full.
   */
  static boolean good(ByteBuf body, int id) {
    byte[] bytes;
    int offset;
    int length = body.readableBytes();
    if (body.hasArray()) {
      bytes = body.array();
      offset = body.arrayOffset() + body.readerIndex();
    } else {
      bytes = ByteBufUtil.getBytes(body);
      offset = 0;
    }
    try (JsonParser p = JSON.createParser(bytes, offset, length)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      boolean idMatches = false;
      boolean result = false;
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        switch (name) {
          case "id" -> idMatches = value == JsonToken.VALUE_NUMBER_INT && p.getLongValue() == id;
          case "error" -> {
            return false;
          }
          case "result" -> result = value != JsonToken.VALUE_NULL;
          default -> { }
        }
        p.skipChildren();
      }
      return t == JsonToken.END_OBJECT && idMatches && result && p.nextToken() == null;
    } catch (IOException e) {
      return false;
    }
  }

  /** The pipeline's end: hands answers and closes to the connection they belong to. */
  private static final class Answers extends SimpleChannelInboundHandler<FullHttpResponse> {
    private final Conn conn;

    Answers(Conn conn) {
      this.conn = conn;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
      if (ctx.channel() == conn.channel) {
        conn.answered(response);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      conn.lost(ctx.channel());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
