package io.riata.core.engine;

import io.riata.core.config.ProviderConfig;
import io.riata.core.jsonrpc.JsonRpcCodec;
import io.riata.core.jsonrpc.JsonRpcErrors;
import io.riata.core.jsonrpc.JsonRpcRequest;
import io.riata.core.jsonrpc.Parsed;
import io.riata.core.selection.Strategy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One JSON-RPC message (a single request or a batch) in, its answer out, whatever the transport:
 * malformed and invalid requests are answered here and never reach a provider; valid ones go
 * through the {@link RequestEngine}, the elements of a batch concurrently, each with its own
 * failover. Call it on the transport's thread; the answer comes on that thread.
 */
public final class Dispatcher {

  private final RequestEngine engine;
  private final int maxBatchLength;

  public Dispatcher(RequestEngine engine, int maxBatchLength) {
    this.engine = engine;
    this.maxBatchLength = maxBatchLength;
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
    new Batch<>(items, payloads, transport, answer).run(chain, strategy, allowed);
  }

  /** The elements of one batch, answered in their order once every non-notification has ended. */
  private final class Batch<P, B> {
    final List<Parsed.Item> items;
    final Payloads<P> payloads;
    final Transport<P, B> transport;
    final Consumer<Answer<B>> answer;
    @SuppressWarnings("unchecked")
    final Outcome<B>[] slots;
    final List<Outcome<B>> routed;
    int waiting;
    boolean started;

    @SuppressWarnings("unchecked")
    Batch(List<Parsed.Item> items, Payloads<P> payloads, Transport<P, B> transport, Consumer<Answer<B>> answer) {
      this.items = items;
      this.payloads = payloads;
      this.transport = transport;
      this.answer = answer;
      this.slots = new Outcome[items.size()];
      this.routed = new ArrayList<>(items.size());
    }

    void run(ChainContext chain, Strategy strategy, Predicate<ProviderConfig> allowed) {
      for (Parsed.Item item : items) {
        if (item instanceof Parsed.Request r && !r.request().isNotification()) {
          waiting++;
        }
      }
      for (int i = 0; i < items.size(); i++) {
        Parsed.Item item = items.get(i);
        if (item instanceof Parsed.Invalid invalid) {
          slots[i] = Outcome.own(invalidItem(invalid), List.of());
          continue;
        }
        JsonRpcRequest request = ((Parsed.Request) item).request();
        P payload = payloads.slice(request.offset(), request.length());
        int slot = i;
        boolean notification = request.isNotification();
        engine.execute(chain, strategy, allowed, request, payload, transport, outcome -> {
          payloads.release(payload);
          if (notification) {
            if (outcome.body() != null) {
              transport.release(outcome.body());
            }
            return;
          }
          slots[slot] = outcome;
          routed.add(outcome);
          if (--waiting == 0 && started) {
            answer();
          }
        });
      }
      started = true;
      if (waiting == 0) {
        answer();
      }
    }

    private void answer() {
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
