package io.riata.http.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Keeps this runner's threads (the load's event loops, the simulated providers, their timers and
 * JIT) at a lower CPU priority than the Riata nodes it starts. On one machine the kernel shares
 * the CPU per thread, and the runner has about a hundred threads to a node's two event loops:
 * under overload it took most of the CPU, and the node's event loops spent three quarters of their
 * time waiting for one (docs/overload.md). In production the clients and the providers are other
 * machines and take nothing from the node.
 *
 * <p>{@code RIATA_CHAOS_PRIORITY} says how: {@code nice:10} (the default) lowers them to nice 10,
 * where a runner thread that wants a CPU gets about a tenth of a node thread's share; {@code idle}
 * puts them in the idle scheduling class ({@code chrt --idle}): they run only on what the nodes
 * leave, and a node thread that wakes takes a CPU from them at once, but the load then gets so
 * little that it offers the node less than at nice 10 (goodput at 5x 5.4k to 8.1k reads/s over
 * five quick runs, against 5.8k to 11.7k at nice 10); {@code off} leaves everything at one
 * priority, as the figures were made before.
 *
 * <p>Linux keeps the class and nice value per thread, and a new thread or process takes its
 * creator's. Every half second the threads that appeared since are lowered, but the JVM's own
 * first threads (named {@code java}): the main thread among them starts the nodes, which so keep
 * the usual priority; the JVM's VM and collector threads, so that a collection in the runner,
 * which stops all of its threads, stays short; and threads named {@value #KEPT}. Lowering needs no
 * privilege; nothing is raised back (this JVM ends with the run).
 */
final class RunnerPriority implements AutoCloseable {

  /** How the runner's threads are lowered, from {@code RIATA_CHAOS_PRIORITY}. */
  static final String MODE = mode(System.getenv("RIATA_CHAOS_PRIORITY"));

  private static String mode(String value) {
    String mode = value == null || value.isBlank() ? "nice:10" : value.strip();
    if (!mode.equals("idle") && !mode.equals("off") && !mode.matches("nice:(1[0-9]|[1-9])")) {
      throw new IllegalArgumentException("RIATA_CHAOS_PRIORITY must be idle, nice:1 .. nice:19 or off, got " + value);
    }
    return mode;
  }

  /** Threads named so keep the usual priority too: a canary client that must not fall behind. */
  static final String KEPT = "chaos-canary";
  /** The JVM's threads that a collection waits for, by name. */
  private static final List<String> VM = List.of("VM Thread", "GC Thread", "G1 ");

  private final Thread sweeper;
  private final Set<String> seen = new HashSet<>();
  private volatile boolean closed;
  private volatile boolean failed;

  private RunnerPriority() {
    sweeper = new Thread(this::sweep, "chaos-priority");
    sweeper.setDaemon(true);
  }

  /** Starts lowering; off again with {@link #close()} (threads already lowered stay so). */
  static RunnerPriority lower() {
    RunnerPriority priority = new RunnerPriority();
    if (MODE.equals("off")) {
      priority.closed = true;
      return priority;
    }
    priority.lowerNew();
    priority.sweeper.start();
    return priority;
  }

  /** How the runner's threads were lowered, for the report: e.g. {@code idle}; {@code null} when they were not. */
  String lowered() {
    return MODE.equals("off") || failed ? null : MODE;
  }

  private void sweep() {
    while (!closed) {
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        return;
      }
      lowerNew();
    }
  }

  private synchronized void lowerNew() {
    List<String> lower = new ArrayList<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        String tid = task.getFileName().toString();
        if (seen.contains(tid)) {
          continue;
        }
        try {
          String name = Files.readString(task.resolve("comm")).strip();
          if (!name.equals("java") && !name.startsWith(KEPT) && VM.stream().noneMatch(name::startsWith)) {
            lower.add(tid);
          }
          seen.add(tid);
        } catch (IOException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException | RuntimeException e) {
      failed = true; // no /proc
      return;
    }
    if (lower.isEmpty()) {
      return;
    }
    List<List<String>> commands = new ArrayList<>();
    if (MODE.equals("idle")) {
      lower.forEach(tid -> commands.add(List.of("chrt", "--idle", "--pid", "0", tid)));
    } else {
      List<String> renice = new ArrayList<>(List.of("renice", "-n", MODE.substring("nice:".length()), "-p"));
      renice.addAll(lower);
      commands.add(renice);
    }
    for (List<String> command : commands) {
      try {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          failed = true;
        }
        // A non-zero exit: a thread ended before the command reached it.
      } catch (IOException e) {
        failed = true;
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    sweeper.interrupt();
  }
}
