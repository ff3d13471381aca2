package io.riata.http.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.riata.http.sim.EthResponder.Answer;
import io.riata.http.sim.EthResponder.Failure;
import io.riata.http.sim.EthResponder.Result;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An Ethereum JSON-RPC provider on 127.0.0.1 that can be killed, revived and switched into faults
 * while it runs. It backs {@code riata --demo} and the HTTP integration tests.
 *
 * <p>Request handling: read the body and count its calls; apply the fault ({@link Fault#RESET}
 * drops the connection, {@link Fault#HANG} holds it); wait the latency; then answer with HTTP 500,
 * 429, an HTML page or JSON-RPC. Calls, not HTTP requests, are counted; a batch of n counts n.
 *
 * <p>No thread is held while a request waits out its latency or hangs: the exchange is parked and
 * finished later from a timer, so a slow provider still takes thousands of requests a second.
 */
public final class SimulatedProvider implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SimulatedProvider.class);

  // Decimals are read exactly and kept with their trailing zeros, so an id like 1.50 comes back as sent.
  static final ObjectMapper JSON = new ObjectMapper()
      .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true))
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String LOOPBACK = "127.0.0.1";
  private static final String APPLICATION_JSON = "application/json";
  private static final String TEXT_PLAIN = "text/plain; charset=utf-8";
  private static final String TEXT_HTML = "text/html; charset=utf-8";
  private static final byte[] HTML_PAGE = ("<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
      + "<body><h1>502 Bad Gateway</h1><p>The origin did not answer.</p></body></html>\n")
      .getBytes(StandardCharsets.UTF_8);

  static final int PARSE_ERROR = -32700;
  static final int INVALID_REQUEST = -32600;
  static final int SIMULATED_FAILURE = -32000;
  static final int RATE_LIMITED = -32005;

  /** A hung request is dropped after this long even if nobody kills the provider. */
  static final Duration HANG_LIMIT = Duration.ofSeconds(60);
  private static final int BACKLOG = 1024;
  // Handlers never block on latency or hangs, so a small fixed pool is enough; excess requests queue.
  private static final int THREADS = 32;
  // Distinct method names are client-controlled; stop recording new ones past this many.
  private static final int MAX_COUNTED_METHODS = 1024;

  static {
    // The JDK server writes the headers and the body of a response separately. With Nagle's algorithm
    // on, the body then waits for the client's delayed ACK: about 40 ms a request on a kept-alive
    // connection, which caps one connection near 25 req/s and skews every latency the router sees.
    setUnlessGiven("sun.net.httpserver.nodelay", "true");
    // Past this many idle kept-alive connections the server closes the newly idle ones, and a client
    // reusing one at that moment gets an empty answer; a burst from a router easily exceeds the default 200.
    setUnlessGiven("sun.net.httpserver.maxIdleConnections", "10000");
  }

  private final SimSettings settings;
  private final EthResponder responder;
  private final ExecutorService pool;
  /** Fires delayed answers and hang limits; hands the work back to {@link #pool}. */
  private final ScheduledThreadPoolExecutor timer;
  private final int port;

  /** Guards the chain and fault changes. */
  private final Object lock = new Object();
  private final SimulatedChain chain;

  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong httpRequests = new AtomicLong();
  private final ConcurrentHashMap<String, LongAdder> callsByMethod = new ConcurrentHashMap<>();

  private volatile Fault fault = Fault.NONE;
  private volatile Duration latency;
  /** Delays of single methods, instead of {@link #latency}. */
  private final Map<String, Duration> methodLatency = new ConcurrentHashMap<>();
  /** Every n-th call gets a JSON-RPC error; 0 for none. Starts as the settings say. */
  private volatile int errorEvery;
  /** The server now listening, or null while killed. Changed only under {@code this}. */
  private volatile Listener listener;
  private boolean closed;

  private SimulatedProvider(SimSettings settings, int requestedPort) throws IOException {
    this.settings = settings;
    this.responder = new EthResponder(settings.name(), settings.chainId(), settings.blockTime());
    this.chain = new SimulatedChain(settings.startBlock(), settings.blockTime(), System.nanoTime());
    this.latency = settings.latency();
    this.errorEvery = settings.errorEvery();
    this.pool = Executors.newFixedThreadPool(THREADS, daemonThreads("riata-sim-" + settings.name() + "-"));
    this.timer = new ScheduledThreadPoolExecutor(1, daemonThreads("riata-sim-" + settings.name() + "-timer-"));
    timer.setRemoveOnCancelPolicy(true);
    try {
      this.listener = listen(requestedPort);
    } catch (IOException | RuntimeException e) {
      pool.shutdownNow();
      timer.shutdownNow();
      throw e;
    }
    this.port = listener.server.getAddress().getPort();
  }

  /** Starts a provider on an ephemeral port. */
  public static SimulatedProvider start(SimSettings settings) throws IOException {
    return start(settings, 0);
  }

  /** Starts a provider on {@code port}, or on an ephemeral one when it is 0. */
  public static SimulatedProvider start(SimSettings settings, int port) throws IOException {
    Objects.requireNonNull(settings, "settings");
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be within 0..65535, got " + port);
    }
    SimulatedProvider provider = new SimulatedProvider(settings, port);
    log.debug("Simulated provider {} (chain {}) listening on {}", settings.name(), settings.chainId(), provider.httpUrl());
    return provider;
  }

  public URI httpUrl() {
    return URI.create("http://" + LOOPBACK + ":" + port + "/");
  }

  public int port() {
    return port;
  }

  public String name() {
    return settings.name();
  }

  public SimSettings settings() {
    return settings;
  }

  /**
   * Stops listening at once, like a dead process: new connections are refused and requests in
   * flight are dropped without an answer. Does nothing if already killed.
   */
  public synchronized void kill() {
    Listener current = listener;
    if (current == null) {
      return;
    }
    listener = null;
    current.stopped = true;
    current.server.stop(0);
    current.dropHung();
    log.debug("Simulated provider {} killed", settings.name());
  }

  /** Listens again on the same port. Does nothing if alive; fails if the port was taken meanwhile. */
  public synchronized void revive() throws IOException {
    if (closed) {
      throw new IllegalStateException("simulated provider " + settings.name() + " is closed");
    }
    if (listener == null) {
      listener = listen(port);
      log.debug("Simulated provider {} revived on port {}", settings.name(), port);
    }
  }

  public boolean alive() {
    return listener != null;
  }

  /** Switches behaviour for requests from now on; requests hung by {@link Fault#HANG} are dropped. */
  public void fault(Fault newFault) {
    Objects.requireNonNull(newFault, "fault");
    synchronized (lock) {
      chain.stall(newFault == Fault.STALL_HEAD, System.nanoTime());
      fault = newFault;
    }
    Listener current = listener;
    if (newFault != Fault.HANG && current != null) {
      current.dropHung();
    }
  }

  public Fault fault() {
    return fault;
  }

  /** Sets the delay before every answer, from the next request on. */
  public void latency(Duration newLatency) {
    latency = checked(newLatency);
  }

  private static Duration checked(Duration latency) {
    Objects.requireNonNull(latency, "latency");
    if (latency.isNegative()) {
      throw new IllegalArgumentException("latency must not be negative, got " + latency);
    }
    return latency;
  }

  /**
   * Sets the delay before answers to {@code method} (a batch: to its first call), from the next
   * request on; other methods keep {@link #latency(Duration)}. Lets reads turn slow while head
   * probes stay quick.
   */
  public void latency(String method, Duration newLatency) {
    Objects.requireNonNull(method, "method");
    methodLatency.put(method, checked(newLatency));
  }

  /**
   * Client connections open at this provider now: accepted and not closed by the client (read
   * from the kernel's table of TCP connections; Linux only). What a router keeps to it.
   */
  public int openConnections() {
    return OpenConnections.at(port);
  }

  /**
   * From the next call on, every {@code n}-th call (counted since start or the last
   * {@link #resetCounts()}) gets a JSON-RPC error: 2 fails half the calls, 0 none.
   */
  public void errorEvery(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("errorEvery must be 0 (off) or positive, got " + n);
    }
    errorEvery = n;
  }

  public long head() {
    synchronized (lock) {
      return chain.head(System.nanoTime());
    }
  }

  /** Block {@code number} as a {@code newHeads} notification carries it, as JSON. */
  public String headerJson(long number) {
    return responder.header(number).toString();
  }

  /** Makes {@link #head()} return {@code value} now; the chain advances from there unless stalled. */
  public void head(long value) {
    if (value < 0) {
      throw new IllegalArgumentException("head must not be negative, got " + value);
    }
    synchronized (lock) {
      chain.set(value, System.nanoTime());
    }
  }

  /** JSON-RPC calls answered or attempted since start or the last {@link #resetCounts()}. */
  public long requests() {
    return calls.get();
  }

  public long requests(String method) {
    LongAdder count = callsByMethod.get(method);
    return count == null ? 0 : count.sum();
  }

  /** Zeroes the counters, and with them the cadence of {@code errorEvery} and {@code rateLimitEvery}. */
  public void resetCounts() {
    calls.set(0);
    httpRequests.set(0);
    callsByMethod.clear();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    kill();
    closed = true;
    timer.shutdownNow();
    pool.shutdownNow();
  }

  @Override
  public String toString() {
    return "SimulatedProvider[" + settings.name() + " " + httpUrl() + (alive() ? "" : " killed") + "]";
  }

  private Listener listen(int onPort) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(LOOPBACK, onPort), BACKLOG);
    Listener created = new Listener(server);
    server.createContext("/", created);
    server.setExecutor(pool);
    server.start();
    return created;
  }

  /**
   * The JDK server reads its tuning from system properties once, when the first server in the JVM is
   * created, and applies it to every server; so these take effect only if no other server came first.
   */
  private static void setUnlessGiven(String property, String value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, value);
    }
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger number = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, prefix + number.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** One bound server. A killed one is never reused; revive binds a new one. */
  private final class Listener implements HttpHandler {
    final HttpServer server;
    volatile boolean stopped;
    /** Exchanges held by {@link Fault#HANG}, each with the timer that drops it at the limit. */
    final Map<HttpExchange, ScheduledFuture<?>> hung = new ConcurrentHashMap<>();

    Listener(HttpServer server) {
      this.server = server;
    }

    @Override
    public void handle(HttpExchange exchange) {
      boolean parked = false;
      try {
        parked = serve(this, exchange);
      } catch (IOException e) {
        // The client went away, or the provider was killed while answering: nothing to tell anyone.
      } catch (RuntimeException e) {
        log.warn("Simulated provider {} failed on a request", settings.name(), e);
      } finally {
        if (!parked) {
          // With no response sent, closing drops the connection: this is how RESET answers nothing.
          exchange.close();
        }
      }
    }

    void hang(HttpExchange exchange) {
      hung.put(exchange, timer.schedule(() -> drop(exchange), HANG_LIMIT.toNanos(), TimeUnit.NANOSECONDS));
      // The fault may have changed, or the provider died, between reading the fault and parking.
      if (fault != Fault.HANG || stopped) {
        drop(exchange);
      }
    }

    void dropHung() {
      hung.keySet().forEach(this::drop);
    }

    private void drop(HttpExchange exchange) {
      ScheduledFuture<?> limit = hung.remove(exchange);
      if (limit != null) {
        limit.cancel(false);
        exchange.close();
      }
    }
  }

  /** Answers or drops the request; returns true if the exchange was parked to be finished later. */
  private boolean serve(Listener from, HttpExchange exchange) throws IOException {
    if (!"POST".equals(exchange.getRequestMethod())) {
      exchange.getResponseHeaders().set("Allow", "POST");
      send(exchange, 405, TEXT_PLAIN, "only POST is served\n".getBytes(StandardCharsets.UTF_8));
      return false;
    }
    byte[] body = exchange.getRequestBody().readAllBytes();
    Envelope envelope = parse(body);
    long requestNumber = httpRequests.incrementAndGet();
    Arrival arrival = new Arrival(envelope, requestNumber, count(envelope.calls()), fault);

    if (arrival.fault() == Fault.RESET) {
      return false;
    }
    if (arrival.fault() == Fault.HANG) {
      from.hang(exchange);
      return true;
    }
    Duration delay = methodLatency.isEmpty() ? latency
        : methodLatency.getOrDefault(String.valueOf(envelope.calls().get(0).method()), latency);
    if (delay.isZero()) {
      respond(exchange, arrival);
      return false;
    }
    timer.schedule(() -> pool.execute(() -> respondLater(from, exchange, arrival)),
        delay.toNanos(), TimeUnit.NANOSECONDS);
    return true;
  }

  /** A request as read: its calls, its place in both cadences, and the fault in force when it came. */
  private record Arrival(Envelope envelope, long requestNumber, long firstCall, Fault fault) {}

  private void respondLater(Listener from, HttpExchange exchange, Arrival arrival) {
    try {
      if (!from.stopped) {
        respond(exchange, arrival);
      }
    } catch (IOException e) {
      // Killed, or the client gave up while the answer was delayed.
    } catch (RuntimeException e) {
      log.warn("Simulated provider {} failed on a delayed request", settings.name(), e);
    } finally {
      exchange.close();
    }
  }

  private void respond(HttpExchange exchange, Arrival arrival) throws IOException {
    if (arrival.fault() == Fault.HTTP_500) {
      send(exchange, 500, TEXT_PLAIN, "simulated internal server error\n".getBytes(StandardCharsets.UTF_8));
      return;
    }
    if (arrival.fault() == Fault.HTML) {
      send(exchange, 200, TEXT_HTML, HTML_PAGE);
      return;
    }
    int every = settings.rateLimitEvery();
    if (arrival.fault() == Fault.RATE_LIMITED || (every > 0 && arrival.requestNumber() % every == 0)) {
      sendRateLimited(exchange, arrival.envelope());
      return;
    }
    JsonNode reply = answer(arrival.envelope(), arrival.firstCall());
    if (reply == null) {
      send(exchange, 204, APPLICATION_JSON, new byte[0]);
    } else {
      send(exchange, 200, APPLICATION_JSON, JSON.writeValueAsBytes(reply));
    }
  }

  // ---- JSON-RPC ----

  /**
   * A request body: its calls in order, and whether they came as a batch. A body that is not JSON,
   * or an empty batch, is one call that can only be answered with {@code topLevelError}.
   */
  private record Envelope(List<Call> calls, boolean batch, Failure topLevelError) {}

  /** One call; {@code method} is null when the entry is not a valid request object. */
  private record Call(JsonNode id, boolean notification, String method, JsonNode params) {}

  private static Envelope parse(byte[] body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      root = null;
    } catch (IOException e) {
      throw new IllegalStateException("reading JSON from a byte array cannot do I/O", e);
    }
    if (root == null || root.isMissingNode()) {
      return failedEnvelope(new Failure(PARSE_ERROR, "parse error"));
    }
    if (!root.isArray()) {
      return new Envelope(List.of(call(root)), false, null);
    }
    if (root.isEmpty()) {
      return failedEnvelope(new Failure(INVALID_REQUEST, "empty batch"));
    }
    List<Call> calls = new ArrayList<>(root.size());
    for (JsonNode entry : root) {
      calls.add(call(entry));
    }
    return new Envelope(calls, true, null);
  }

  private static Envelope failedEnvelope(Failure failure) {
    return new Envelope(List.of(new Call(NullNode.getInstance(), false, null, null)), false, failure);
  }

  private static Call call(JsonNode entry) {
    if (!(entry instanceof ObjectNode request)) {
      return new Call(NullNode.getInstance(), false, null, null);
    }
    JsonNode id = request.get("id");
    boolean notification = id == null;
    boolean validId = id == null || id.isNull() || id.isTextual() || id.isNumber();
    JsonNode version = request.get("jsonrpc");
    JsonNode method = request.get("method");
    JsonNode params = request.get("params");
    boolean valid = validId
        && version != null && "2.0".equals(version.textValue())
        && method != null && method.isTextual()
        && (params == null || params.isArray() || params.isObject());
    JsonNode replyId = validId && id != null ? id : NullNode.getInstance();
    // An invalid entry is answered even without an id: the client cannot know it was malformed otherwise.
    return new Call(replyId, valid && notification, valid ? method.textValue() : null, params);
  }

  /** Counts the calls and returns the number of the first, so each call knows its place in the cadence. */
  private long count(List<Call> batch) {
    long first = calls.getAndAdd(batch.size()) + 1;
    for (Call call : batch) {
      if (call.method() == null) {
        continue;
      }
      LongAdder perMethod = callsByMethod.get(call.method());
      if (perMethod == null && callsByMethod.size() < MAX_COUNTED_METHODS) {
        perMethod = callsByMethod.computeIfAbsent(call.method(), m -> new LongAdder());
      }
      if (perMethod != null) {
        perMethod.increment();
      }
    }
    return first;
  }

  /** The JSON-RPC reply, or null when nothing is owed (notifications only). */
  private JsonNode answer(Envelope envelope, long firstCall) {
    if (envelope.topLevelError() != null) {
      return error(NullNode.getInstance(), envelope.topLevelError());
    }
    long head = head();
    if (!envelope.batch()) {
      return answer(envelope.calls().get(0), firstCall, head);
    }
    ArrayNode replies = NODES.arrayNode(envelope.calls().size());
    long number = firstCall;
    for (Call call : envelope.calls()) {
      JsonNode reply = answer(call, number++, head);
      if (reply != null) {
        replies.add(reply);
      }
    }
    return replies.isEmpty() ? null : replies;
  }

  private JsonNode answer(Call call, long callNumber, long head) {
    if (call.method() == null) {
      return error(call.id(), new Failure(INVALID_REQUEST, "invalid request"));
    }
    int every = errorEvery;
    Answer answer = every > 0 && callNumber % every == 0
        ? new Failure(SIMULATED_FAILURE, "simulated upstream failure")
        : responder.answer(call.method(), call.params(), head);
    if (call.notification()) {
      return null;
    }
    if (answer instanceof Result result) {
      ObjectNode reply = NODES.objectNode();
      reply.put("jsonrpc", "2.0");
      reply.set("id", call.id());
      reply.set("result", result.value());
      return reply;
    }
    return error(call.id(), (Failure) answer);
  }

  private static ObjectNode error(JsonNode id, Failure failure) {
    ObjectNode reply = NODES.objectNode();
    reply.put("jsonrpc", "2.0");
    reply.set("id", id);
    ObjectNode error = reply.putObject("error");
    error.put("code", failure.code());
    error.put("message", failure.message());
    return reply;
  }

  // ---- HTTP ----

  /** Hosted providers answer a rate-limited batch with one error object, not one per call; so does this. */
  private void sendRateLimited(HttpExchange exchange, Envelope envelope) throws IOException {
    JsonNode id = envelope.batch() ? NullNode.getInstance() : envelope.calls().get(0).id();
    long seconds = (settings.retryAfter().toMillis() + 999) / 1000;
    exchange.getResponseHeaders().set("Retry-After", Long.toString(seconds));
    byte[] body = JSON.writeValueAsBytes(error(id, new Failure(RATE_LIMITED, "rate limited")));
    send(exchange, 429, APPLICATION_JSON, body);
  }

  private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
    if (body.length == 0) {
      // -1 tells the server there is no body at all, which a 204 requires.
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
