package io.riata.http.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.riata.http.sim.SimSettings;
import io.riata.http.sim.SimulatedProvider;
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

      assertEquals(50, reads.size(), "every read due is recorded once");
      for (int i = 0; i < reads.size(); i++) {
        assertEquals(load.startNanos() + i * 20_000_000L, reads.get(i).sentNanos(), 1, "read " + i + " is due on time");
      }
      List<ChaosLoad.Read> answered = reads.stream().filter(ChaosLoad.Read::ok).toList();
      List<ChaosLoad.Read> dropped = reads.stream().filter(r -> !r.ok()).toList();
      assertTrue(answered.size() >= 2 && answered.size() < 50, "answered: " + answered.size());
      assertTrue(dropped.stream().allMatch(r -> r.problem().startsWith(PacedLoad.NOT_SENT) && r.status() == 0),
          "the rest were never sent: " + dropped);
      assertTrue(answered.stream().allMatch(r -> r.status() == 200 && r.queuedNanos() >= 0));
      assertTrue(answered.stream().anyMatch(r -> r.queuedNanos() > 0), "some reads waited for a connection");
      assertEquals(answered.size(), sim.requests("eth_getBalance"), "the server got exactly the reads answered");
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
}
