package io.riata.http.ops.diag;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import io.riata.http.data.EventLoops;
import io.riata.http.Json;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * CPU time and heap allocated by the data plane's event loops since they started: the threads
 * every RPC request runs on, so their allocation divided by the requests served is what one
 * request costs the garbage collector (the benchmark reads it).
 */
public final class DataPlaneThreads {

  private final List<EventLoop> loops;

  public DataPlaneThreads(EventLoops loops) {
    this.loops = loops.loops();
  }

  public ObjectNode report() {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    ObjectNode out = Json.MAPPER.createObjectNode();
    ArrayNode each = out.putArray("threads");
    long cpu = 0;
    long allocated = 0;
    for (EventLoop loop : loops) {
      if (!(loop instanceof SingleThreadEventExecutor executor)) {
        continue;
      }
      long id = executor.threadProperties().id();
      long threadCpu = Math.max(0, threads.getThreadCpuTime(id));
      long threadAllocated = Math.max(0, threads.getThreadAllocatedBytes(id));
      cpu += threadCpu;
      allocated += threadAllocated;
      each.addObject()
          .put("name", executor.threadProperties().name())
          .put("cpuMillis", threadCpu / 1_000_000)
          .put("allocatedBytes", threadAllocated);
    }
    out.put("cpuMillis", cpu / 1_000_000);
    out.put("allocatedBytes", allocated);
    return out;
  }
}
