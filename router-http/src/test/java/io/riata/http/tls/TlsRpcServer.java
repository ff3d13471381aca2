package io.riata.http.tls;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.riata.http.TestNodes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIMatcher;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.StandardConstants;

/**
 * A JSON-RPC provider behind TLS for tests: the JDK's {@code HttpsServer} on 127.0.0.1, answering
 * every POST with a result under the request's id ({@code "0x10"}, whatever the method). It
 * records the SNI host name each handshake asked for and every request it got, with its headers
 * and the client's address (one address per TCP connection).
 */
final class TlsRpcServer implements AutoCloseable {

  /** One request as it arrived. Header names are lower case. */
  record Seen(String method, String id, Map<String, List<String>> headers, String remote) {
    String header(String name) {
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null || values.isEmpty() ? null : values.get(0);
    }
  }

  private final HttpsServer server;
  private final ExecutorService workers = Executors.newFixedThreadPool(2);
  private final boolean reportsHead;
  private final ConcurrentLinkedQueue<String> serverNames = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Seen> requests = new ConcurrentLinkedQueue<>();

  private TlsRpcServer(SSLContext tls, boolean reportsHead) throws IOException {
    this.reportsHead = reportsHead;
    this.server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls) {
      @Override
      public void configure(HttpsParameters params) {
        SSLParameters ssl = tls.getDefaultSSLParameters();
        ssl.setSNIMatchers(List.of(new RecordingMatcher()));
        params.setSSLParameters(ssl);
      }
    });
    server.createContext("/", this::handle);
    server.setExecutor(workers);
    server.start();
  }

  /** A provider that answers everything, {@code eth_blockNumber} included. */
  static TlsRpcServer start(SSLContext tls) throws IOException {
    return new TlsRpcServer(tls, true);
  }

  /**
   * A provider that answers everything but {@code eth_blockNumber}, which it refuses with a
   * JSON-RPC error: Riata's head probes learn no head from it.
   */
  static TlsRpcServer withoutHead(SSLContext tls) throws IOException {
    return new TlsRpcServer(tls, false);
  }

  /** {@code https://localhost:PORT/path}: the name the test certificates are made for. */
  URI url(String path) {
    return URI.create("https://localhost:" + server.getAddress().getPort() + path);
  }

  /** The SNI host names the handshakes asked for, in order. */
  List<String> serverNames() {
    return List.copyOf(serverNames);
  }

  List<Seen> requests() {
    return List.copyOf(requests);
  }

  /** Distinct client addresses that sent requests: the TCP connections used. */
  long connections() {
    return requests.stream().map(Seen::remote).distinct().count();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      if (!exchange.getRequestMethod().equals("POST")) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      JsonNode request = TestNodes.json(new String(body, StandardCharsets.UTF_8));
      String method = request.path("method").asText();
      Map<String, List<String>> headers = new TreeMap<>();
      exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
      requests.add(new Seen(method, request.path("id").asText(), headers, exchange.getRemoteAddress().toString()));

      ObjectNode reply = TestNodes.JSON.createObjectNode().put("jsonrpc", "2.0");
      reply.set("id", request.get("id"));
      if (!reportsHead && method.equals("eth_blockNumber")) {
        reply.putObject("error").put("code", -32601).put("message", "the method eth_blockNumber is not available");
      } else {
        reply.put("result", "0x10");
      }
      byte[] answer = TestNodes.JSON.writeValueAsBytes(reply);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, answer.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(answer);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    workers.shutdownNow();
    try {
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Accepts any host name, noting it: the server has one certificate and presents it to all. */
  private final class RecordingMatcher extends SNIMatcher {
    RecordingMatcher() {
      super(StandardConstants.SNI_HOST_NAME);
    }

    @Override
    public boolean matches(SNIServerName name) {
      serverNames.add(name instanceof SNIHostName host ? host.getAsciiName()
          : new String(name.getEncoded(), StandardCharsets.US_ASCII));
      return true;
    }
  }
}
