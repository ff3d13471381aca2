package io.riata.http.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.riata.http.ReadTally;
import io.riata.http.TestNodes;
import io.riata.http.sim.SimSettings;
import io.riata.http.sim.SimulatedProvider;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The open loop keeps to its schedule whatever the server does: a slow server makes reads wait in
 * the client, and that wait is part of their latency, never a later due time. Against a simulated
 * provider on loopback, without Riata.
 */
class PacedLoadTest {

  @Test
  void readsAreDueOnTheScheduleAndThoseThatWaitForAConnectionSaySo() throws Exception {
    // 2 connections and 100 ms answers take at most 20 reads a second; 50 are due.
    try (SimulatedProvider sim = SimulatedProvider.start(SimSettings.healthy("slow", 1)
        .withLatency(Duration.ofMillis(100)))) {
      PacedLoad load = PacedLoad.open("sim", sim.port(), "/", 50, 2, Duration.ofSeconds(1), 0);
      load.awaitEnd();
      List<ChaosLoad.Read> reads = load.reads.stream().sorted(Comparator.comparingLong(ChaosLoad.Read::sentNanos))
          .toList();

      assertEquals(50, reads.size() + load.neverSent(), "every read due is recorded or counted as never sent, once");
      assertTrue(reads.size() >= 2 && load.neverSent() > 0, reads.size() + " answered, " + load.neverSent() + " not sent");
      long previous = -1;
      for (ChaosLoad.Read read : reads) {
        long slot = read.sentNanos() - load.startNanos();
        assertEquals(0, slot % 20_000_000L, "a read is due on a 20 ms step of the schedule: " + slot);
        assertTrue(slot > previous, "each step once");
        previous = slot;
      }
      assertTrue(reads.stream().allMatch(r -> r.ok() && r.status() == 200 && r.queuedNanos() >= 0), reads::toString);
      assertTrue(reads.stream().anyMatch(r -> r.queuedNanos() > 0), "some reads waited for a connection");
      assertEquals(reads.size(), sim.requests("eth_getBalance"), "the server got exactly the reads answered");
    }
  }

  @Test
  void aClosedLoopSendsTheNextReadOnlyWhenTheLastIsAnswered() throws Exception {
    try (SimulatedProvider sim = SimulatedProvider.start(SimSettings.healthy("quick", 1)
        .withLatency(Duration.ofMillis(5)))) {
      PacedLoad load = PacedLoad.closed("sim", sim.port(), "/", 3, Duration.ofSeconds(2));
      load.awaitEnd();
      List<ChaosLoad.Read> reads = List.copyOf(load.reads);
      assertTrue(reads.size() > 3, "reads: " + reads.size());
      assertTrue(reads.stream().allMatch(ChaosLoad.Read::ok), "all answered");
      assertTrue(reads.stream().allMatch(r -> r.queuedNanos() == 0), "a closed loop never holds a read back");
      assertEquals(reads.size(), sim.requests("eth_getBalance"));
    }
  }

  @Test
  void readsAreWrittenAndJudgedAsTheOtherLoadsDo() {
    for (int id : new int[] {1, 0xabc, Integer.MAX_VALUE}) {
      ByteBuf body = PacedLoad.body(ByteBufAllocator.DEFAULT, id);
      assertEquals(TestNodes.call("eth_getBalance", String.format("[\"0x%040x\",\"latest\"]", id), id),
          body.toString(StandardCharsets.UTF_8));
      body.release();
    }
    List<String> answers = List.of(
        "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":\"0x0\"}",
        "{\"id\":7,\"result\":{\"a\":[1,{\"id\":8}]},\"jsonrpc\":\"2.0\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":8,\"result\":\"0x0\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":\"7\",\"result\":\"0x0\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":null}",
        "{\"jsonrpc\":\"2.0\",\"id\":7}",
        "{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":{\"code\":-32053,\"message\":\"busy\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32053,\"message\":\"busy\"}}",
        "[{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":\"0x0\"}]",
        "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":\"0x0\"} trailing",
        "<html>502</html>",
        "");
    for (String answer : answers) {
      // The quick judgement may only pass what the full one passes (whatever it does not pass is
      // judged in full); these it agrees on but for trailing bytes, which it leaves to the full one.
      boolean quick = PacedLoad.good(Unpooled.copiedBuffer(answer, StandardCharsets.UTF_8), 7);
      boolean full = ReadTally.problem(200, answer, 7) == null;
      assertEquals(full && !answer.endsWith("trailing"), quick, answer);
    }
  }
}
