package io.riata.http.chaos;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
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
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.ScheduledFuture;
import io.riata.http.TestNodes;
import io.riata.http.data.EventLoops;
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
 * and those on the wire get their answers. Every read due is recorded exactly once.
 *
 * <p>Everything runs on one event loop of its own, without locks, so that a load of thousands of
 * reads a second costs the runner a small share of a core; the reads are kept for the scenario to
 * cut into windows afterwards.
 */
final class PacedLoad implements AutoCloseable {

  static final Duration TIMEOUT = Duration.ofSeconds(10);
  static final String NOT_SENT = "not sent: no free connection";
  private static final EventLoops LOOPS = EventLoops.start(1);
  private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final long SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  final ConcurrentLinkedQueue<ChaosLoad.Read> reads = new ConcurrentLinkedQueue<>();
  private final String nodeName;
  private final int port;
  private final String path;
  /** Reads a second; 0 for a closed loop. */
  private final double perSecond;
  private final long lengthNanos;
  private final EventLoop loop = LOOPS.loops().get(0);
  private final CompletableFuture<Void> connected = new CompletableFuture<>();
  private final CompletableFuture<Void> ended = new CompletableFuture<>();
  private volatile long startNanos;

  // Touched on the event loop only.
  private final List<Conn> conns = new ArrayList<>();
  private final ArrayDeque<Conn> idle = new ArrayDeque<>();
  /** Due times of the reads waiting for a connection, oldest first. */
  private final ArrayDeque<Long> waiting = new ArrayDeque<>();
  private long issued;
  private int ids;
  private int busy;
  private int up;
  private boolean started;
  private boolean stopping;
  private ScheduledFuture<?> ticker;
  private ScheduledFuture<?> sweeper;

  private PacedLoad(String nodeName, int port, String path, double perSecond, int connections, Duration length) {
    this.nodeName = nodeName;
    this.port = port;
    this.path = path;
    this.perSecond = perSecond;
    this.lengthNanos = length.toNanos();
    TestNodes.call("eth_getBalance", "[]", 0); // loads the class (and its JSON mapper) before the clock starts
    loop.execute(() -> {
      for (int i = 0; i < connections; i++) {
        Conn conn = new Conn();
        conns.add(conn);
        conn.connect();
      }
    });
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
      connected.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      loop.execute(this::stop);
      throw new IllegalStateException("could not open the load's connections to " + nodeName + " within 30 s", e);
    }
    long now = System.nanoTime();
    startNanos = Math.max(now, startAtNanos);
    loop.schedule(() -> {
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
      sweeper = loop.scheduleAtFixedRate(this::sweep, SWEEP_NANOS, SWEEP_NANOS, TimeUnit.NANOSECONDS);
    }, startNanos - now, TimeUnit.NANOSECONDS);
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

  /** Waits until the load has run its length and every read on the wire has its answer or timed out. */
  void awaitEnd() throws InterruptedException {
    long wait = Math.max(0, endNanos() - System.nanoTime()) + TIMEOUT.toNanos() + TimeUnit.SECONDS.toNanos(5);
    try {
      ended.get(wait, TimeUnit.NANOSECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the load on " + nodeName + " did not end", e);
    }
  }

  /** Stops sending now (reads still waiting are dropped), then waits for the reads on the wire. */
  @Override
  public void close() throws InterruptedException {
    loop.execute(this::stop);
    awaitEnd();
  }

  // ---- on the event loop ----

  private void tick() {
    if (stopping) {
      return;
    }
    long now = System.nanoTime();
    long total = (long) (lengthNanos / 1e9 * perSecond);
    long due = Math.min(total, (long) ((now - startNanos) / 1e9 * perSecond) + 1);
    for (; issued < due; issued++) {
      long dueAt = startNanos + (long) (issued * 1e9 / perSecond);
      Conn conn = idle.pollFirst();
      if (conn != null) {
        conn.send(dueAt);
      } else {
        waiting.addLast(dueAt);
      }
    }
  }

  private void sweep() {
    long now = System.nanoTime();
    if (!stopping && now - startNanos >= lengthNanos) {
      stop();
      return;
    }
    Long oldest;
    while ((oldest = waiting.peekFirst()) != null && now - oldest > TIMEOUT.toNanos()) {
      waiting.pollFirst();
      reads.add(ChaosLoad.Read.unanswered(nodeName, oldest, now, NOT_SENT + " within " + TIMEOUT.toSeconds() + " s"));
    }
    for (Conn conn : conns) {
      if (conn.busy && now - conn.due > TIMEOUT.toNanos()) {
        conn.giveUp(now);
      }
    }
  }

  /** No more reads: those waiting are dropped, those on the wire get their answers. */
  private void stop() {
    if (stopping) {
      return;
    }
    stopping = true;
    if (ticker != null) {
      ticker.cancel(false);
    }
    long now = System.nanoTime();
    for (Long dueAt : waiting) {
      reads.add(ChaosLoad.Read.unanswered(nodeName, dueAt, now, NOT_SENT + " before the load ended"));
    }
    waiting.clear();
    endIfIdle();
  }

  private void endIfIdle() {
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
  private void free(Conn conn) {
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
    Long dueAt;
    while ((dueAt = waiting.pollFirst()) != null) {
      if (now - dueAt <= TIMEOUT.toNanos()) {
        conn.send(dueAt);
        return;
      }
      reads.add(ChaosLoad.Read.unanswered(nodeName, dueAt, now, NOT_SENT + " within " + TIMEOUT.toSeconds() + " s"));
    }
    idle.addLast(conn);
  }

  /** One kept-alive connection and the read on it, if any. */
  private final class Conn {
    Channel channel;
    boolean busy;
    int id;
    long due;
    long sent;

    void connect() {
      Bootstrap bootstrap = new Bootstrap().group(loop).channel(LOOPS.socketChannel())
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
          if (!started && ++up == conns.size()) {
            connected.complete(null);
          }
          free(this);
        } else if (!stopping) {
          loop.schedule(this::connect, 100, TimeUnit.MILLISECONDS);
        }
      });
    }

    void send(long dueAt) {
      id = ++ids;
      due = dueAt;
      busy = true;
      PacedLoad.this.busy++;
      byte[] body = TestNodes.call("eth_getBalance", String.format("[\"0x%040x\",\"latest\"]", id), id)
          .getBytes(StandardCharsets.UTF_8);
      FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path,
          Unpooled.wrappedBuffer(body));
      request.headers().set(HttpHeaderNames.HOST, "127.0.0.1:" + port)
          .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
          .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
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
      reads.add(ChaosLoad.read(nodeName, due, now, sent - due, id, response.status().code(),
          response.content().toString(StandardCharsets.UTF_8), response.headers().get("X-Riata-Attempts"),
          response.headers().get("X-Riata-Attempt-Log"), response.headers().contains(HttpHeaderNames.RETRY_AFTER)));
      done();
      if (HttpUtil.isKeepAlive(response)) {
        free(this);
      } else {
        channel.close(); // lost() opens another
      }
    }

    void lost(Channel closed) {
      if (closed != channel) {
        return;
      }
      channel = null;
      idle.remove(this);
      if (busy) {
        reads.add(ChaosLoad.Read.unanswered(nodeName, due, System.nanoTime(), "connection closed"));
        done();
      }
      if (!stopping) {
        connect();
      }
      endIfIdle();
    }

    /** No answer within the timeout: the read fails and the connection is replaced, as a client with a timeout does. */
    void giveUp(long now) {
      reads.add(ChaosLoad.Read.unanswered(nodeName, due, now, "no answer within " + TIMEOUT.toSeconds() + " s"));
      done();
      Channel stale = channel;
      channel = null;
      stale.close();
      if (!stopping) {
        connect();
      }
      endIfIdle();
    }

    private void done() {
      busy = false;
      PacedLoad.this.busy--;
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
