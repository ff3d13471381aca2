package io.riata.core.jsonrpc;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What judging one provider reply costs, the byte scanner in {@link ReplyInspector} beside the
 * Jackson streaming code it replaced ({@link JacksonReplyOracle#inspectAsReleased}), on a short
 * result, a block of about 20 KB and an error (JMH; {@code deploy/bench/engine.sh ReplyInspectorBench},
 * whose gc profiler shows the bytes allocated per call).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ReplyInspectorBench {

  @Param({"small-result", "20k-result", "error"})
  public String reply;

  private byte[] body;

  @Setup
  public void setUp() {
    String text;
    switch (reply) {
      case "small-result":
        text = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x12a05f2\"}";
        break;
      case "20k-result":
        text = block(20_000);
        break;
      case "error":
        text = "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32005,\"message\":\"rate limit exceeded, retry in 1s\","
            + "\"data\":{\"see\":\"https://example.com/limits\",\"limit\":[100,\"rps\"]}}}";
        break;
      default:
        throw new IllegalArgumentException(reply);
    }
    body = text.getBytes(StandardCharsets.UTF_8);
    if (!ReplyInspector.inspect(body).equals(JacksonReplyOracle.inspect(body))) {
      throw new IllegalStateException("the two disagree on " + reply);
    }
  }

  @Benchmark
  public UpstreamReply jackson() {
    return JacksonReplyOracle.inspectAsReleased(body, 0, body.length);
  }

  @Benchmark
  public UpstreamReply scanner() {
    return ReplyInspector.inspect(body, 0, body.length);
  }

  /** An eth_getBlockByNumber reply with full transactions, grown to about {@code size} bytes. */
  static String block(int size) {
    Random random = new Random(1);
    StringBuilder s = new StringBuilder("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"number\":\"0x12a05f2\",\"hash\":\"")
        .append(hex(random, 32)).append("\",\"parentHash\":\"").append(hex(random, 32))
        .append("\",\"miner\":\"").append(hex(random, 20)).append("\",\"gasUsed\":\"0x1c9c380\",\"timestamp\":\"0x6553f100\"")
        .append(",\"uncles\":[],\"transactions\":[");
    String separator = "";
    while (s.length() < size - 700) {
      s.append(separator).append("{\"blockHash\":\"").append(hex(random, 32)).append("\",\"from\":\"").append(hex(random, 20))
          .append("\",\"to\":\"").append(hex(random, 20)).append("\",\"gas\":\"0x5208\",\"gasPrice\":\"0x4a817c800\"")
          .append(",\"hash\":\"").append(hex(random, 32)).append("\",\"input\":\"").append(hex(random, 68))
          .append("\",\"nonce\":\"0x").append(Integer.toHexString(random.nextInt(5000))).append("\",\"value\":\"0x0\"")
          .append(",\"type\":\"0x2\",\"accessList\":[],\"chainId\":\"0x1\",\"v\":\"0x1\",\"r\":\"").append(hex(random, 32))
          .append("\",\"s\":\"").append(hex(random, 32)).append("\",\"transactionIndex\":\"0x")
          .append(Integer.toHexString(random.nextInt(300))).append("\"}");
      separator = ",";
    }
    return s.append("],\"withdrawals\":[{\"index\":\"0x1\",\"validatorIndex\":\"0x2\",\"amount\":\"0xdeadbeef\"}]}}")
        .toString();
  }

  private static String hex(Random random, int bytes) {
    StringBuilder s = new StringBuilder("0x");
    for (int i = 0; i < bytes; i++) {
      s.append(Character.forDigit(random.nextInt(16), 16)).append(Character.forDigit(random.nextInt(16), 16));
    }
    return s.toString();
  }
}
