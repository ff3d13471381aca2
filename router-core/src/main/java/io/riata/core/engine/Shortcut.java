package io.riata.core.engine;

import io.riata.core.jsonrpc.JsonRpcRequest;

/**
 * A step before the upstream that may answer a request itself. Today: {@code eth_chainId} from
 * configuration. The place for a response cache and for joining an identical request already in
 * flight. Runs on the request's thread and must not block.
 */
@FunctionalInterface
public interface Shortcut {

  /** Riata's own answer, and why it could give it (shown in the dashboard's decisions). */
  record Answer(byte[] body, String why) {}

  /** The answer to {@code request}, or {@code null} to let it go upstream. */
  Answer tryAnswer(ChainContext chain, JsonRpcRequest request);

  /** {@code eth_chainId}: the chain's id is configuration, no provider needs to be asked. */
  Shortcut CHAIN_ID = (chain, request) -> "eth_chainId".equals(request.method())
      ? new Answer(io.riata.core.jsonrpc.JsonRpcCodec.resultResponse(request.idJson(),
          io.riata.core.jsonrpc.JsonRpcCodec.quote(chain.config().chainIdHex())), "answered from configuration")
      : null;
}
