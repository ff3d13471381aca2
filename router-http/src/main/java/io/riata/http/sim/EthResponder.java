package io.riata.http.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Answers one Ethereum JSON-RPC call from a synthetic chain. Everything derived from an address or
 * a block number is a pure function of it (and the chain id), so two simulated providers of one
 * chain give identical answers and a failover cannot be told apart from the payload.
 */
final class EthResponder {

  /** What a call gets: a result, or a JSON-RPC error. */
  sealed interface Answer {}

  record Result(JsonNode value) implements Answer {}

  record Failure(int code, String message) implements Answer {}

  static final int INVALID_PARAMS = -32602;
  static final int METHOD_NOT_FOUND = -32601;

  // Keccak of an empty trie and of an empty uncle list: what a real block with no transactions carries.
  private static final String EMPTY_TRIE_ROOT = "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421";
  private static final String EMPTY_UNCLES_HASH = "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347";
  private static final String ZERO_HASH = "0x" + "0".repeat(64);
  private static final String EMPTY_BLOOM = "0x" + "0".repeat(512);
  private static final String MINER = "0x" + "0".repeat(36) + "5157";
  /** Timestamp of block 0; later blocks follow at one block time each. */
  private static final long GENESIS_EPOCH_SECONDS = 1_700_000_000L;
  // Safe and finalized trail the head the way they do on a proof-of-stake chain (about one and two epochs).
  private static final long SAFE_DEPTH = 32;
  private static final long FINALIZED_DEPTH = 64;

  private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");
  private static final Pattern QUANTITY = Pattern.compile("0x(0|[1-9a-fA-F][0-9a-fA-F]{0,15})");
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final HexFormat HEX = HexFormat.of();

  private final long chainId;
  private final long blockTimeMillis;
  private final Result clientVersion;
  private final Result chainIdHex;
  private final Result netVersion;

  EthResponder(String name, long chainId, Duration blockTime) {
    this.chainId = chainId;
    this.blockTimeMillis = blockTime.toMillis();
    this.clientVersion = result("riata-sim/" + name);
    this.chainIdHex = result(quantity(chainId));
    this.netVersion = result(Long.toString(chainId));
  }

  Answer answer(String method, JsonNode params, long head) {
    return switch (method) {
      case "eth_blockNumber" -> result(quantity(head));
      case "eth_chainId" -> chainIdHex;
      case "net_version" -> netVersion;
      case "web3_clientVersion" -> clientVersion;
      case "eth_gasPrice" -> result("0x3b9aca00");
      case "eth_syncing" -> new Result(BooleanNode.FALSE);
      case "eth_call" -> requireArgument(params, 0) ? result("0x") : missing(0);
      case "eth_estimateGas" -> requireArgument(params, 0) ? result("0x5208") : missing(0);
      case "eth_getBalance" -> balance(params);
      case "eth_getTransactionCount" -> transactionCount(params);
      case "eth_getBlockByNumber" -> blockByNumber(params, head);
      case "eth_getBlockByHash" -> blockByHash(params, head);
      case "eth_getLogs" -> requireArgument(params, 0) ? new Result(NODES.arrayNode()) : missing(0); // no transactions, no logs
      default -> new Failure(METHOD_NOT_FOUND, "the method " + method + " does not exist/is not available");
    };
  }

  private Answer balance(JsonNode params) {
    Answer invalid = checkAddress(params);
    if (invalid != null) {
      return invalid;
    }
    byte[] digest = sha256("balance:" + params.get(0).asText().toLowerCase(Locale.ROOT));
    // Nine bytes keep balances below about 4,700 ether: plausible, and varied enough to tell apart.
    BigInteger wei = new BigInteger(1, Arrays.copyOf(digest, 9));
    return result("0x" + wei.toString(16));
  }

  private Answer transactionCount(JsonNode params) {
    Answer invalid = checkAddress(params);
    if (invalid != null) {
      return invalid;
    }
    byte[] digest = sha256("nonce:" + params.get(0).asText().toLowerCase(Locale.ROOT));
    int nonce = ((digest[0] & 0xff) << 8) | (digest[1] & 0xff);
    return result(quantity(nonce));
  }

  private Answer blockByNumber(JsonNode params, long head) {
    if (!requireArgument(params, 0)) {
      return missing(0);
    }
    JsonNode tag = params.get(0);
    long number;
    switch (tag.asText()) {
      case "latest", "pending" -> number = head;
      case "safe" -> number = Math.max(0, head - SAFE_DEPTH);
      case "finalized" -> number = Math.max(0, head - FINALIZED_DEPTH);
      case "earliest" -> number = 0;
      default -> {
        if (!tag.isTextual() || !QUANTITY.matcher(tag.asText()).matches()) {
          return new Failure(INVALID_PARAMS, "invalid argument 0: invalid block number " + tag);
        }
        number = Long.parseUnsignedLong(tag.asText().substring(2), 16);
        if (number < 0 || number > head) {
          return new Result(NullNode.getInstance());
        }
      }
    }
    return new Result(block(number));
  }

  /** Blocks this far below the head can be found by hash (a node keeps more; a simulator need not). */
  private static final int FINDABLE_BY_HASH = 1024;

  private Answer blockByHash(JsonNode params, long head) {
    if (!requireArgument(params, 0)) {
      return missing(0);
    }
    String hash = params.get(0).asText("").toLowerCase(Locale.ROOT);
    for (long n = head; n >= 0 && n > head - FINDABLE_BY_HASH; n--) {
      if (blockHash(n).equals(hash)) {
        return new Result(block(n));
      }
    }
    return new Result(NullNode.getInstance());
  }

  /** Block {@code number} as a {@code newHeads} notification carries it: the block without its bodies. */
  ObjectNode header(long number) {
    ObjectNode header = block(number);
    header.remove("transactions");
    header.remove("uncles");
    header.remove("size");
    return header;
  }

  private ObjectNode block(long number) {
    ObjectNode block = NODES.objectNode();
    block.put("number", quantity(number));
    block.put("hash", blockHash(number));
    block.put("parentHash", number == 0 ? ZERO_HASH : blockHash(number - 1));
    block.put("nonce", "0x0000000000000000");
    block.put("sha3Uncles", EMPTY_UNCLES_HASH);
    block.put("logsBloom", EMPTY_BLOOM);
    block.put("transactionsRoot", EMPTY_TRIE_ROOT);
    block.put("stateRoot", "0x" + HEX.formatHex(sha256("state:" + chainId + ":" + number)));
    block.put("receiptsRoot", EMPTY_TRIE_ROOT);
    block.put("miner", MINER);
    block.put("difficulty", "0x0");
    block.put("extraData", "0x");
    block.put("size", "0x220");
    block.put("gasLimit", "0x1c9c380");
    block.put("gasUsed", "0x0");
    block.put("timestamp", quantity(GENESIS_EPOCH_SECONDS + number * blockTimeMillis / 1000));
    block.put("baseFeePerGas", "0x7");
    block.putArray("transactions");
    block.putArray("uncles");
    return block;
  }

  private String blockHash(long number) {
    return "0x" + HEX.formatHex(sha256("block:" + chainId + ":" + number));
  }

  private static Answer checkAddress(JsonNode params) {
    if (!requireArgument(params, 0)) {
      return missing(0);
    }
    JsonNode address = params.get(0);
    if (!address.isTextual() || !ADDRESS.matcher(address.asText()).matches()) {
      return new Failure(INVALID_PARAMS, "invalid argument 0: want a 0x-prefixed 20-byte hex address, got " + address);
    }
    return null;
  }

  private static boolean requireArgument(JsonNode params, int index) {
    return params instanceof ArrayNode array && array.size() > index && !array.get(index).isNull();
  }

  private static Failure missing(int index) {
    return new Failure(INVALID_PARAMS, "missing value for required argument " + index);
  }

  private static Result result(String text) {
    return new Result(TextNode.valueOf(text));
  }

  static String quantity(long value) {
    return "0x" + Long.toHexString(value);
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK ships SHA-256", e);
    }
  }
}
