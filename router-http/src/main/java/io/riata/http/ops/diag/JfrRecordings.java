package io.riata.http.ops.diag;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.riata.http.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;

/**
 * Java Flight Recorder recordings of this process, on demand: one at a time, for at most
 * {@link #MAX_DURATION}, written to a temporary directory of this node, of which the last
 * {@link #KEEP} are kept for download (older files are deleted). A recording whose duration runs
 * out stops by itself and is written like one stopped by hand. The files go when the node stops
 * ({@link #close()}): download what you need before. Whatever settings are chosen, events that
 * would copy the environment, system properties or command lines are off ({@link #SECRET_EVENTS}).
 */
public final class JfrRecordings {

  public static final Duration MAX_DURATION = Duration.ofMinutes(10);
  public static final Duration DEFAULT_DURATION = Duration.ofSeconds(60);
  public static final int KEEP = 3;

  private final Path dir;
  private Recording current;
  private Instant currentStarted;
  /** Finished recordings, oldest first. */
  private final Deque<Finished> finished = new ArrayDeque<>();

  private record Finished(long id, Path file, Instant started, Instant stopped) {}

  public JfrRecordings() {
    try {
      this.dir = Files.createTempDirectory("riata-jfr-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for JFR recordings", e);
    }
  }

  public synchronized ObjectNode start(Duration duration, String settings) {
    settle();
    if (current != null) {
      throw DiagnosticsException.busy("JFR recording " + current.getId() + " is running; stop it first");
    }
    if (duration.isZero() || duration.isNegative() || duration.compareTo(MAX_DURATION) > 0) {
      throw DiagnosticsException.badRequest("duration must be positive and at most "
          + MAX_DURATION.toMinutes() + "m, got " + duration);
    }
    Configuration configuration;
    try {
      configuration = Configuration.getConfiguration(settings);
    } catch (IOException | ParseException e) {
      throw DiagnosticsException.badRequest("no JFR settings named " + settings + "; known: "
          + Configuration.getConfigurations().stream().map(Configuration::getName).toList());
    }
    Recording recording = new Recording(withoutSecrets(configuration.getSettings()));
    recording.setName("riata-diagnostics");
    recording.setToDisk(true);
    recording.setDuration(duration);
    try {
      recording.setDestination(dir.resolve("riata-" + recording.getId() + ".jfr"));
    } catch (IOException e) {
      recording.close();
      throw new UncheckedIOException(e);
    }
    recording.start();
    current = recording;
    currentStarted = Instant.now();
    ObjectNode out = describe(recording.getId(), "RUNNING", currentStarted, null, null);
    out.put("settings", configuration.getName());
    out.put("durationMs", duration.toMillis());
    return out;
  }

  /**
   * Events that copy the process's environment, system properties or command lines into a
   * recording: the admin token and provider keys usually arrive that way, and a recording leaves
   * the process through the admin API. Names the running JDK does not know are ignored.
   */
  static final List<String> SECRET_EVENTS = List.of(
      "jdk.InitialEnvironmentVariable",
      "jdk.InitialSystemProperty",
      "jdk.InitialSecurityProperty",
      "jdk.JVMInformation",
      "jdk.SystemProcess",
      "jdk.ProcessStart");

  /** {@code settings} with every event of {@link #SECRET_EVENTS} switched off. */
  static Map<String, String> withoutSecrets(Map<String, String> settings) {
    Map<String, String> out = new HashMap<>(settings);
    for (String event : SECRET_EVENTS) {
      out.put(event + "#enabled", "false");
    }
    return out;
  }

  /** Stops the running recording (or takes the one that ran out) and keeps its file. */
  public synchronized ObjectNode stop() {
    if (current == null) {
      throw new DiagnosticsException(409, "not-running", "No recording running",
          "no JFR recording is running; start one with POST /admin/diagnostics/jfr/start");
    }
    if (current.getState() == RecordingState.RUNNING || current.getState() == RecordingState.DELAYED) {
      current.stop(); // writes the destination file
    }
    Finished f = keep();
    return describe(f.id(), "STOPPED", f.started(), f.stopped(), f.file());
  }

  /** The file of a finished recording still kept. */
  public synchronized Optional<Path> file(long id) {
    settle();
    return finished.stream().filter(f -> f.id() == id).map(Finished::file).filter(Files::exists).findFirst();
  }

  public synchronized ObjectNode list() {
    settle();
    ObjectNode out = Json.MAPPER.createObjectNode();
    out.put("directory", dir.toString());
    if (current != null) {
      out.set("running", describe(current.getId(), "RUNNING", currentStarted, null, null));
    }
    ArrayNode list = out.putArray("recordings");
    finished.descendingIterator().forEachRemaining(f -> list.add(describe(f.id(), "STOPPED", f.started(), f.stopped(), f.file())));
    return out;
  }

  /** A recording that ran out of time stopped by itself: file it like one stopped by hand. */
  private void settle() {
    if (current != null && current.getState() != RecordingState.RUNNING
        && current.getState() != RecordingState.DELAYED) {
      keep();
    }
  }

  private Finished keep() {
    Finished f = new Finished(current.getId(), current.getDestination(), currentStarted,
        current.getStopTime() != null ? current.getStopTime() : Instant.now());
    current.close();
    current = null;
    finished.addLast(f);
    while (finished.size() > KEEP) {
      try {
        Files.deleteIfExists(finished.removeFirst().file());
      } catch (IOException e) {
        // A file we cannot delete stays in the temporary directory; nothing else depends on it.
      }
    }
    return f;
  }

  /** Ends a running recording and deletes every file and the directory: the node is stopping. */
  public synchronized void close() {
    if (current != null) {
      current.close();
      current = null;
    }
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // Left in the temporary directory; the operating system's cleanup will take it.
    }
    finished.clear();
  }

  private static ObjectNode describe(long id, String state, Instant started, Instant stopped, Path file) {
    ObjectNode out = Json.MAPPER.createObjectNode();
    out.put("id", id);
    out.put("state", state);
    out.put("startedAt", started.toString());
    if (stopped != null) {
      out.put("stoppedAt", stopped.toString());
    }
    if (file != null) {
      long size;
      try {
        size = Files.size(file);
      } catch (IOException e) {
        size = -1;
      }
      out.put("bytes", size);
      out.put("download", "/admin/diagnostics/jfr/" + id);
    }
    return out;
  }
}
