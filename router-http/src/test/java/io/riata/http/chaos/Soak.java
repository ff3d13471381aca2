package io.riata.http.chaos;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A long run of one node under steady reads while p2 goes through every provider fault in turn
 * (each on for a third of a cycle, then cleared). Every few seconds the node's heap after a full
 * GC, its open file descriptors and its threads are sampled, to show whether anything grows.
 */
final class Soak {

  /** One sample of the node. */
  record Sample(long atSeconds, long heapKib, long openFiles, long threads) {}

  private static final Duration CYCLE = Duration.ofSeconds(30);
  private static final Duration SAMPLE_EVERY = Duration.ofSeconds(5);

  private final ProviderBed bed;
  private final Duration length;
  private final int clients;
  final List<Sample> samples = new ArrayList<>();

  Soak(ProviderBed bed, Duration length, int clients) {
    this.bed = bed;
    this.length = length;
    this.clients = clients;
  }

  Row run() throws IOException, InterruptedException {
    ChaosNode node = bed.nodes.get(0);
    List<ProviderFaults.Scenario> faults = ProviderFaults.scenarios();
    long start = System.nanoTime();
    long end = start + length.toNanos();
    long[] latencies = new long[1 << 16];
    int count = 0;
    int failed = 0;
    List<ChaosLoad.Read> failures = new ArrayList<>();
    int cycle = 0;
    sample(node, start);
    while (System.nanoTime() < end) {
      ProviderFaults.Scenario fault = faults.get(cycle++ % faults.size());
      long cycleEnd = Math.min(end, System.nanoTime() + CYCLE.toNanos());
      long clearAt = System.nanoTime() + CYCLE.toNanos() / 3;
      boolean on = true;
      ChaosLoad load = new ChaosLoad(() -> bed.nodes, ProviderBed.CHAIN, clients, Duration.ofMillis(10),
          CYCLE.plusSeconds(5), 1_000_000);
      try (load) {
        fault.inject().apply(bed);
        long nextSample = System.nanoTime() + SAMPLE_EVERY.toNanos();
        while (System.nanoTime() < cycleEnd) {
          if (on && System.nanoTime() >= clearAt) {
            fault.clear().apply(bed);
            on = false;
          }
          if (System.nanoTime() >= nextSample) {
            sample(node, start);
            nextSample += SAMPLE_EVERY.toNanos();
          }
          Thread.sleep(100);
        }
        if (on) {
          fault.clear().apply(bed);
        }
      }
      for (ChaosLoad.Read r : load.reads) {
        if (count == latencies.length) {
          latencies = Arrays.copyOf(latencies, latencies.length * 2);
        }
        latencies[count++] = r.latencyNanos();
        if (!r.ok()) {
          failed++;
          if (failures.size() < 10_000) {
            failures.add(r);
          }
        }
      }
      if (!node.alive()) {
        throw new IllegalStateException(node.name + " died during the soak; see " + node.log());
      }
    }
    sample(node, start);
    long[] sorted = Arrays.copyOf(latencies, count);
    Arrays.sort(sorted);
    double p50 = count == 0 ? 0 : sorted[(int) Math.ceil(0.50 * count) - 1] / 1e6;
    double p99 = count == 0 ? 0 : sorted[(int) Math.ceil(0.99 * count) - 1] / 1e6;
    double max = count == 0 ? 0 : sorted[count - 1] / 1e6;
    String notes = String.format(Locale.ROOT,
        "%d fault cycles of %d s (each fault on p2 for a third of its cycle, %d faults in turn); "
            + "heap after GC %s MiB; open files %s; threads %s (first / min / max / last sample)%s",
        cycle, CYCLE.toSeconds(), faults.size(), spread(Sample::heapKib, 1024), spread(Sample::openFiles, 1),
        spread(Sample::threads, 1), failed > 0 ? "; failures: " + ProviderFaults.reasons(failures) : "");
    return new Row("soak", length.toMinutes() + " min, one node, faults cycling on p2", Integer.toString(count),
        Integer.toString(failed), Row.ms(p50), Row.ms(p99) + " (max " + Row.ms(max) + ")", Row.NONE, Row.NONE,
        Row.NONE, notes);
  }

  private void sample(ChaosNode node, long start) {
    samples.add(new Sample((System.nanoTime() - start) / 1_000_000_000L, node.heapAfterGcKib(), node.openFiles(),
        node.threads()));
  }

  private String spread(java.util.function.ToLongFunction<Sample> field, long divisor) {
    long[] values = samples.stream().mapToLong(field).toArray();
    long min = Arrays.stream(values).min().orElse(-1);
    long max = Arrays.stream(values).max().orElse(-1);
    return String.format(Locale.ROOT, "%d / %d / %d / %d", values[0] / divisor, min / divisor, max / divisor,
        values[values.length - 1] / divisor);
  }

  /** About a dozen samples spread over the run, as markdown table rows. */
  List<String> sampleRows() {
    List<String> rows = new ArrayList<>();
    int step = Math.max(1, samples.size() / 12);
    for (int i = 0; i < samples.size(); i += step) {
      Sample s = samples.get(i);
      rows.add(String.format(Locale.ROOT, "| %d s | %d | %d | %d |", s.atSeconds(), s.heapKib() / 1024,
          s.openFiles(), s.threads()));
    }
    Sample last = samples.get(samples.size() - 1);
    if ((samples.size() - 1) % step != 0) {
      rows.add(String.format(Locale.ROOT, "| %d s | %d | %d | %d |", last.atSeconds(), last.heapKib() / 1024,
          last.openFiles(), last.threads()));
    }
    return rows;
  }
}
