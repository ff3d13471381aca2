package io.riata.http.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two provider faults through the same code as {@code deploy/chaos/run.sh} (quick pace, one node
 * as a child JVM), so the runner cannot rot unnoticed. It asserts behaviour only: no read fails
 * while two providers of three are healthy, the faulty one is excluded and then gets no read
 * until the fault is cleared, it comes back afterwards, and the report is written below its
 * marker. Timings are printed, never asserted.
 */
class ChaosMatrixIT {

  @Test
  void aDeadOrFailingProviderCostsNoReadIsLeftAloneOnceExcludedAndComesBack() throws Exception {
    Path work = Files.createDirectories(Path.of("target", "chaos-it"));
    List<Row> rows = new ArrayList<>();
    try (ProviderBed bed = ProviderBed.start(Path.of("target", "riata.jar"), work, "it", 1, Map.of())) {
      ProviderFaults runner = new ProviderFaults(bed, ProviderFaults.Pace.QUICK);
      for (ProviderFaults.Scenario scenario : ProviderFaults.scenarios()) {
        if (!List.of("provider-killed", "http-500").contains(scenario.id())) {
          continue;
        }
        ProviderFaults.Outcome outcome = runner.run(scenario);
        System.out.println(scenario.id() + ": " + outcome.row());
        rows.add(outcome.row());
        assertTrue(outcome.reads() > 100, scenario.id() + ": the load ran: " + outcome.reads());
        assertEquals(0, outcome.failed(), scenario.id() + ": " + outcome.row().notes());
        assertTrue(outcome.excludedAfterNanos() >= 0, scenario.id() + ": p2 was never excluded");
        assertEquals(List.of(), outcome.triedWhileExcluded(), scenario.id() + ": p2 got reads while it was excluded");
        assertTrue(outcome.backAfterNanos() >= 0, scenario.id() + ": p2 never answered again after the fault");
      }
    }
    assertEquals(2, rows.size());

    Path report = work.resolve("reliability.md");
    Files.writeString(report, "# Reliability\n\nhand-written intro\n\n" + ChaosMatrix.MARKER + "\n\nold figures\n");
    ChaosMatrix.Options options = ChaosMatrix.parse(new String[] {"--quick", "--jar", "target/riata.jar"});
    ReliabilityReport.write(report, ReliabilityReport.section(options, rows, List.of(), Instant.now(), Duration.ofSeconds(1)));
    String written = Files.readString(report);
    assertTrue(written.startsWith("# Reliability\n\nhand-written intro\n\n" + ChaosMatrix.MARKER), written);
    assertTrue(!written.contains("old figures"), written);
    assertTrue(written.contains("| provider-killed | ") && written.contains("| http-500 | "), written);
  }
}
