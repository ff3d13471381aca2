package io.riata.http.data;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.riata.core.config.ProviderConfig;
import io.riata.core.engine.Answer;
import io.riata.core.engine.ChainContext;
import io.riata.core.engine.Dispatcher;
import io.riata.core.engine.Outcome;
import io.riata.core.engine.Payloads;
import io.riata.core.jsonrpc.JsonRpcCodec;
import io.riata.core.jsonrpc.JsonRpcRequest;
import io.riata.core.selection.Strategy;
import io.riata.http.data.upstream.LoopTransport;
import io.riata.http.data.upstream.UpstreamClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * The request engine for callers that are not on an event loop (subscription catch-up, the admin
 * load simulation): the work hops onto one of the data plane's loops once, runs there like any
 * request, and the answer comes back copied to the heap. Not for client traffic, which starts on
 * its connection's loop already.
 */
public final class EngineGateway {

  /**
   * A message's answer copied off the event loop.
   *
   * @param body   the bytes to send back, or {@code null} when nothing is due (notifications only)
   * @param routed the outcomes of the valid requests, without their bodies, for the routing headers
   */
  public record Rendered(byte[] body, boolean single, List<Outcome<byte[]>> routed) {}

  private final Dispatcher dispatcher;
  private final UpstreamClient client;

  public EngineGateway(Dispatcher dispatcher, UpstreamClient client) {
    this.dispatcher = dispatcher;
    this.client = client;
  }

  public Dispatcher dispatcher() {
    return dispatcher;
  }

  /** Answers a whole JSON-RPC message (single or batch), as a client connection would have it answered. */
  public CompletableFuture<Rendered> dispatch(ChainContext chain, Strategy strategy, Predicate<ProviderConfig> allowed,
                                              byte[] body) {
    CompletableFuture<Rendered> result = new CompletableFuture<>();
    LoopTransport transport = client.any();
    ByteBuf buffer = Unpooled.wrappedBuffer(body);
    transport.loop().execute(() -> {
      try {
        dispatcher.dispatch(chain, strategy, allowed, body, body.length, slices(buffer), transport,
            answer -> result.complete(render(answer)));
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
    return result;
  }

  /** Sends one request built in code; the outcome's body is the provider's answer, copied. */
  public CompletableFuture<Outcome<byte[]>> execute(ChainContext chain, Strategy strategy,
                                                    Predicate<ProviderConfig> allowed, JsonRpcRequest.Built request) {
    CompletableFuture<Outcome<byte[]>> result = new CompletableFuture<>();
    LoopTransport transport = client.any();
    ByteBuf payload = Unpooled.wrappedBuffer(request.bytes());
    transport.loop().execute(() -> {
      try {
        dispatcher.engine().execute(chain, strategy, allowed, request.request(), payload, transport,
            outcome -> result.complete(copied(outcome)));
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
    return result;
  }

  private static Payloads<ByteBuf> slices(ByteBuf body) {
    return new Payloads<>() {
      @Override
      public ByteBuf slice(int offset, int length) {
        return body.retainedSlice(offset, length);
      }

      @Override
      public void release(ByteBuf payload) {
        payload.release();
      }
    };
  }

  private static Rendered render(Answer<ByteBuf> answer) {
    List<Outcome<byte[]>> routed = new ArrayList<>(answer.routed().size());
    for (Outcome<ByteBuf> o : answer.routed()) {
      routed.add(new Outcome<>(null, o.own(), o.providerId(), o.attempts(), o.refused()));
    }
    if (answer.empty()) {
      return new Rendered(null, answer.single(), routed);
    }
    List<byte[]> parts = new ArrayList<>(answer.parts().size());
    for (Outcome<ByteBuf> part : answer.parts()) {
      parts.add(bytes(part));
    }
    byte[] body = answer.single() ? parts.get(0) : JsonRpcCodec.batchResponse(parts);
    return new Rendered(body, answer.single(), routed);
  }

  private static Outcome<byte[]> copied(Outcome<ByteBuf> outcome) {
    byte[] body = outcome.body() == null ? null : bytes(outcome);
    return new Outcome<>(body, outcome.own(), outcome.providerId(), outcome.attempts(), outcome.refused());
  }

  /** The part's bytes: Riata's own, or the provider's copied and their buffer released. */
  private static byte[] bytes(Outcome<ByteBuf> part) {
    if (part.body() == null) {
      return part.own();
    }
    byte[] copy = ByteBufUtil.getBytes(part.body());
    part.body().release();
    return copy;
  }
}
