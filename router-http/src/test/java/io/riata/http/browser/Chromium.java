package io.riata.http.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real browser for tests: Debian's Chromium, headless, driven over the DevTools protocol (a
 * WebSocket, with the JDK's client; no driver binary, nothing from outside Debian). Installs the
 * package with apt-get the first time if it is missing, as the test command must need nothing
 * installed by hand.
 */
public final class Chromium implements AutoCloseable {

  private static final Path BINARY = Path.of("/usr/bin/chromium");
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");

  private final Process process;
  private final Path profile;
  private final WebSocket page;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> waiting = new ConcurrentHashMap<>();

  /** Installs Chromium from Debian's packages if it is not there yet (needs root or sudo). */
  public static synchronized void ensureInstalled() throws IOException, InterruptedException {
    if (Files.isExecutable(BINARY)) {
      return;
    }
    System.out.println("installing chromium from Debian's packages (once per machine)...");
    String sudo = "root".equals(System.getProperty("user.name")) ? "" : "sudo ";
    Process install = new ProcessBuilder("sh", "-c",
        sudo + "apt-get update -qq && DEBIAN_FRONTEND=noninteractive " + sudo + "apt-get install -y -qq chromium")
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.INHERIT)
        .start();
    if (!install.waitFor(15, TimeUnit.MINUTES) || install.exitValue() != 0 || !Files.isExecutable(BINARY)) {
      throw new IOException("could not install chromium with apt-get (exit " + install.exitValue() + ")");
    }
  }

  /** Starts a headless browser showing {@code url} in a window of the given size. */
  public static Chromium open(URI url, int width, int height) throws IOException, InterruptedException {
    ensureInstalled();
    Path profile = Files.createTempDirectory("riata-chromium");
    Process process = new ProcessBuilder(BINARY.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
        "--disable-dev-shm-usage", "--no-first-run", "--remote-debugging-port=0", "--remote-allow-origins=*",
        "--user-data-dir=" + profile, "--window-size=" + width + "," + height, url.toString())
        .redirectErrorStream(true)
        .start();
    try {
      String browserSocket = awaitListening(process);
      int port = URI.create(browserSocket).getPort();
      return new Chromium(process, profile, pageSocket(port, url));
    } catch (IOException | RuntimeException e) {
      process.destroyForcibly();
      throw e;
    }
  }

  private static String awaitListening(Process process) throws IOException {
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    String line;
    while (System.nanoTime() < until && (line = out.readLine()) != null) {
      Matcher m = LISTENING.matcher(line);
      if (m.find()) {
        Thread drain = new Thread(() -> {
          try {
            while (out.readLine() != null) {
              // keep the pipe empty so the browser never blocks on its own log
            }
          } catch (IOException ignored) {
            // the browser went away
          }
        }, "chromium-log");
        drain.setDaemon(true);
        drain.start();
        return m.group(1);
      }
    }
    throw new IOException("chromium did not open its DevTools port within 30 s");
  }

  /** The DevTools socket of the tab showing {@code url}. */
  private static String pageSocket(int port, URI url) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < until) {
      HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
          .build(), HttpResponse.BodyHandlers.ofString());
      for (JsonNode target : MAPPER.readTree(list.body())) {
        if ("page".equals(target.path("type").asText())) {
          return target.path("webSocketDebuggerUrl").asText();
        }
      }
      Thread.sleep(100);
    }
    throw new IOException("chromium opened no page for " + url);
  }

  private Chromium(Process process, Path profile, String pageSocketUrl) {
    this.process = process;
    this.profile = profile;
    this.page = HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(URI.create(pageSocketUrl), new Listener())
        .join();
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          JsonNode message = MAPPER.readTree(partial.toString());
          CompletableFuture<JsonNode> answer = message.has("id") ? waiting.remove(message.get("id").asInt()) : null;
          if (answer != null) {
            answer.complete(message);
          }
        } catch (IOException e) {
          // not for us
        }
        partial.setLength(0);
      }
      socket.request(1);
      return null;
    }
  }

  /** Sends one DevTools command and waits for its result. */
  public JsonNode send(String method, ObjectNode params) {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    waiting.put(id, answer);
    ObjectNode command = MAPPER.createObjectNode().put("id", id).put("method", method);
    command.set("params", params == null ? MAPPER.createObjectNode() : params);
    page.sendText(command.toString(), true).join();
    JsonNode reply = answer.orTimeout(20, TimeUnit.SECONDS).join();
    if (reply.has("error")) {
      throw new IllegalStateException(method + ": " + reply.get("error"));
    }
    return reply.get("result");
  }

  /** Evaluates a JavaScript expression in the page and returns its value (JSON-serializable values only). */
  public JsonNode evaluate(String expression) {
    JsonNode result = send("Runtime.evaluate",
        MAPPER.createObjectNode().put("expression", expression).put("returnByValue", true));
    if (result.has("exceptionDetails")) {
      throw new IllegalStateException("page script failed: " + result.get("exceptionDetails"));
    }
    return result.path("result").path("value");
  }

  /** Saves what the page shows now as a PNG. */
  public void screenshot(Path file) throws IOException {
    JsonNode shot = send("Page.captureScreenshot", MAPPER.createObjectNode().put("format", "png"));
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.write(file, Base64.getDecoder().decode(shot.get("data").asText()));
  }

  @Override
  public void close() throws IOException {
    try {
      page.abort();
    } finally {
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
