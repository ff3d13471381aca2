package io.riata.http.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.riata.cluster.node.ChainRuntime;
import io.riata.cluster.node.LocalBreakerView;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The RPC path cannot touch Pekko: no class of the data plane (listener, upstream client) and
 * none of the node-local state it reads per request names a Pekko type in its bytecode, so no
 * request can materialize a stream, ask an actor or hop onto a dispatcher. (The engine in
 * router-core is kept free of Pekko by the build itself.) Subscriptions reach their feeds through
 * {@code io.riata.http.data.subs}, outside the request path.
 */
class DataPlaneIsolationTest {

  private static final byte[] PEKKO = "org/apache/pekko".getBytes(StandardCharsets.UTF_8);

  @Test
  void noDataPlaneClassReferencesPekko() throws Exception {
    List<Path> classes = classesOf(RpcServer.class, "io/riata/http/data").stream()
        .filter(p -> !p.toString().contains("/io/riata/http/data/subs/"))
        .toList();
    assertTrue(classes.size() > 10, "found the data plane's classes: " + classes.size());
    List<String> offenders = new ArrayList<>();
    for (Path c : classes) {
      if (mentionsPekko(Files.readAllBytes(c))) {
        offenders.add(c.getFileName().toString());
      }
    }
    assertEquals(List.of(), offenders);
  }

  @Test
  void theStateReadPerRequestReferencesNoPekkoEither() throws IOException {
    for (Class<?> c : List.of(ChainRuntime.class, LocalBreakerView.class)) {
      try (InputStream in = c.getResourceAsStream(c.getSimpleName() + ".class")) {
        assertTrue(!mentionsPekko(in.readAllBytes()), c.getName() + " mentions Pekko");
      }
    }
  }

  @Test
  void theCheckFindsPekkoWhereItIs() throws IOException {
    Class<?> operatorPlane = io.riata.http.ops.HealthRoutes.class;
    try (InputStream in = operatorPlane.getResourceAsStream(operatorPlane.getSimpleName() + ".class")) {
      assertTrue(mentionsPekko(in.readAllBytes()), "the operator plane's Pekko HTTP route must be seen as Pekko");
    }
  }

  private static List<Path> classesOf(Class<?> anchor, String packagePath) throws URISyntaxException, IOException {
    URL root = anchor.getProtectionDomain().getCodeSource().getLocation();
    Path dir = Path.of(root.toURI()).resolve(packagePath);
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(p -> p.toString().endsWith(".class")).toList();
    }
  }

  /** Class files keep type names in their constant pool as UTF-8 with slashes. */
  private static boolean mentionsPekko(byte[] classFile) {
    outer:
    for (int i = 0; i <= classFile.length - PEKKO.length; i++) {
      for (int j = 0; j < PEKKO.length; j++) {
        if (classFile[i + j] != PEKKO[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
