package io.riata.core.engine;

import io.riata.core.config.ProviderConfig;
import io.riata.core.jsonrpc.JsonRpcCodec;
import io.riata.core.jsonrpc.JsonRpcErrors;
import io.riata.core.jsonrpc.JsonRpcRequest;
import io.riata.core.jsonrpc.Parsed;
import io.riata.core.selection.Strategy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One JSON-RPC message (a single request or a batch) in, its answer out, whatever the transport:
 * malformed and invalid requests are answered here and never reach a provider; valid ones go
 * through the {@link RequestEngine}, the elements of a batch concurrently (at most
 * {@code maxBatchConcurrency} of one batch at a time, the next starting as one ends), each with its
 * own failover and deadline. Call it on the transport's thread; the answer comes on that thread.
 */
public final class Dispatcher {

  private final RequestEngine engine;
  private final int maxBatchLength;
  private final int maxBatchConcurrency;
  /** Batch elements that waited for another element of their batch to end before they started. */
  private final LongAdder deferred = new LongAdder();

  public Dispatcher(RequestEngine engine, int maxBatchLength, int maxBatchConcurrency) {
    if (maxBatchConcurrency < 1) {
      throw new IllegalArgumentException("batch concurrency must be at least 1, got " + maxBatchConcurrency);
    }
    this.engine = engine;
    this.maxBatchLength = maxBatchLength;
    this.maxBatchConcurrency = maxBatchConcurrency;
  }

  /** Batch elements that had to wait for a place among their batch's requests in flight, since the start. */
  public long deferredBatchElements() {
    return deferred.sum();
  }

  public RequestEngine engine() {
    return engine;
  }

  /**
   * Answers the message in the first {@code length} bytes of {@code body}. Notifications are
   * forwarded but not waited for: a message of notifications only is answered at once, empty.
   *
   * @param payloads cuts each request's bytes out of the transport's buffer; every slice taken is
   *                 released when its request has ended
   */
  public <P, B> void dispatch(ChainContext chain, Strategy strategy, Predicate<ProviderConfig> allowed,
                              byte[] body, int length, Payloads<P> payloads, Transport<P, B> transport,
                              Consumer<Answer<B>> answer) {
    Parsed parsed = JsonRpcCodec.parse(body, length);
    if (parsed instanceof Parsed.ParseError error) {
      answer.accept(own(JsonRpcCodec.errorResponse("null", JsonRpcErrors.PARSE_ERROR, "parse error: " + error.message(), null)));
      return;
    }
    if (parsed instanceof Parsed.EmptyBatch) {
      answer.accept(own(JsonRpcCodec.errorResponse("null", JsonRpcErrors.INVALID_REQUEST, "invalid request: empty batch", null)));
      return;
    }
    if (parsed instanceof Parsed.Single single) {
      if (single.item() instanceof Parsed.Invalid invalid) {
        answer.accept(own(invalidItem(invalid)));
        return;
      }
      JsonRpcRequest request = ((Parsed.Request) single.item()).request();
      P payload = payloads.slice(request.offset(), request.length());
      if (request.isNotification()) {
        answer.accept(new Answer<>(true, List.of(), List.of()));
        engine.execute(chain, strategy, allowed, request, payload, transport, outcome -> {
          payloads.release(payload);
          if (outcome.body() != null) {
            transport.release(outcome.body());
          }
        });
        return;
      }
      engine.execute(chain, strategy, allowed, request, payload, transport, outcome -> {
        payloads.release(payload);
        List<Outcome<B>> one = List.of(outcome);
        answer.accept(new Answer<>(true, one, one));
      });
      return;
    }
    List<Parsed.Item> items = ((Parsed.Batch) parsed).items();
    if (items.size() > maxBatchLength) {
      answer.accept(own(JsonRpcCodec.errorResponse("null", JsonRpcErrors.INVALID_REQUEST,
          "batch of " + items.size() + " requests exceeds the limit of " + maxBatchLength, null)));
      return;
    }
    new Batch<>(items, payloads, transport.whole(), answer).run(chain, strategy, allowed);
  }

  /** The elements of one batch, answered in their order once every non-notification has ended. */
  private final class Batch<P, B> {
    final List<Parsed.Item> items;
    final Payloads<P> payloads;
    final Transport<P, B> transport;
    final Consumer<Answer<B>> answer;
    @SuppressWarnings("unchecked")
    final Outcome<B>[] slots;
    /**
     * Each request's bytes, cut when the batch arrives: the transport's buffer is only ours until
     * {@link #dispatch} returns, and elements that wait for a place start later.
     */
    final Object[] sliced;
    final List<Outcome<B>> routed;
    int waiting;
    boolean started;
    /** The next element to start, and how many of this batch's requests are out. */
    int next;
    int inFlight;
    boolean launching;
    boolean answered;
    ChainContext chain;
    Strategy strategy;
    Predicate<ProviderConfig> allowed;

    @SuppressWarnings("unchecked")
    Batch(List<Parsed.Item> items, Payloads<P> payloads, Transport<P, B> transport, Consumer<Answer<B>> answer) {
      this.items = items;
      this.payloads = payloads;
      this.transport = transport;
      this.answer = answer;
      this.slots = new Outcome[items.size()];
      this.sliced = new Object[items.size()];
      this.routed = new ArrayList<>(items.size());
    }

    void run(ChainContext chain, Strategy strategy, Predicate<ProviderConfig> allowed) {
      this.chain = chain;
      this.strategy = strategy;
      this.allowed = allowed;
      for (int i = 0; i < items.size(); i++) {
        if (items.get(i) instanceof Parsed.Request r) {
          sliced[i] = payloads.slice(r.request().offset(), r.request().length());
          if (!r.request().isNotification()) {
            waiting++;
          }
        }
      }
      launch();
      started = true;
      if (waiting == 0) {
        answer();
      }
    }

    /**
     * Starts elements until the batch has its most in flight. An element may end before its
     * {@code execute} returns (answered by Riata, or refused); the loop, not a nested call,
     * then starts the next one.
     */
    private void launch() {
      if (launching) {
        return;
      }
      launching = true;
      while (next < items.size() && inFlight < maxBatchConcurrency) {
        int slot = next++;
        Parsed.Item item = items.get(slot);
        if (item instanceof Parsed.Invalid invalid) {
          slots[slot] = Outcome.own(invalidItem(invalid), List.of());
          continue;
        }
        if (started) {
          deferred.increment();
        }
        JsonRpcRequest request = ((Parsed.Request) item).request();
        @SuppressWarnings("unchecked")
        P payload = (P) sliced[slot];
        sliced[slot] = null;
        boolean notification = request.isNotification();
        inFlight++;
        engine.execute(chain, strategy, allowed, request, payload, transport, outcome -> {
          payloads.release(payload);
          inFlight--;
          if (notification) {
            if (outcome.body() != null) {
              transport.release(outcome.body());
            }
          } else {
            slots[slot] = outcome;
            routed.add(outcome);
            waiting--;
          }
          launch();
          if (waiting == 0 && started && !launching) {
            answer();
          }
        });
      }
      launching = false;
    }

    private void answer() {
      if (answered) {
        return; // a notification that ended after the answer went out
      }
      answered = true;
      List<Outcome<B>> parts = new ArrayList<>(slots.length);
      for (Outcome<B> o : slots) {
        if (o != null) {
          parts.add(o);
        }
      }
      answer.accept(new Answer<>(false, parts, routed));
    }
  }

  private static <B> Answer<B> own(byte[] body) {
    List<Outcome<B>> one = List.of(Outcome.own(body, List.of()));
    return new Answer<>(true, one, List.of());
  }

  private static byte[] invalidItem(Parsed.Invalid invalid) {
    return JsonRpcCodec.errorResponse(invalid.idJson(), JsonRpcErrors.INVALID_REQUEST,
        "invalid request: " + invalid.message(), null);
  }
}
