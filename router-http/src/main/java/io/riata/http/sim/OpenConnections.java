package io.riata.http.sim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Counts the TCP connections a local server holds open, as the kernel sees them (Linux: the
 * {@code /proc/net/tcp} tables): a server-side socket in state ESTABLISHED is one whose client
 * has not closed it. One the client closed is in CLOSE_WAIT until the server notices, and is not
 * counted. So a test can tell, at the provider, how many connections a router keeps to it.
 */
final class OpenConnections {

  private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
  private static final String ESTABLISHED = "01";

  private OpenConnections() {}

  /** Connections accepted on {@code port} and still open at both ends. */
  static int at(int port) {
    int open = 0;
    for (Path table : TABLES) {
      if (!Files.isReadable(table)) {
        continue;
      }
      List<String> rows;
      try {
        rows = Files.readAllLines(table);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      for (String row : rows.subList(Math.min(1, rows.size()), rows.size())) {
        String[] f = row.trim().split("\\s+");
        // sl, local address:port (hex), remote address:port, state, ...
        if (f.length > 3 && f[3].equals(ESTABLISHED)
            && Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16) == port) {
          open++;
        }
      }
    }
    return open;
  }
}
