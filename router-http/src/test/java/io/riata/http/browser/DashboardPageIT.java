package io.riata.http.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.riata.core.config.ChainConfig;
import io.riata.http.RiataServer;
import io.riata.http.TestNodes;
import io.riata.http.demo.DemoProviders;
import io.riata.http.sim.SimSettings;
import io.riata.http.sim.SimulatedProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The dashboard page in a real browser (headless Chromium) against the demo configuration under a
 * steady read load: provider rows appear for both chains, and their numbers change from one
 * rollup to the next without a reload. Leaves a screenshot in {@code target/dashboard.png} (and at
 * {@code -Ddashboard.screenshot=PATH} when given, which is how {@code docs/dashboard.png} is made).
 * With a token on the operator port, the page asks for it in its form, says so when it is wrong,
 * and keeps it for the tab across a reload. Hedges and the retry budget's refusals show as a
 * chain's figures and on its decisions.
 */
class DashboardPageIT {

  private static final List<String> DEMO_CHAINS = List.of("ethereum", "polygon");

  /** What the page shows: the cluster line, and per provider row its cells' text. */
  private static final String READ_PAGE = "JSON.stringify({"
      + "status: document.getElementById('status').textContent,"
      + "cluster: document.getElementById('cluster').textContent,"
      + "rows: Array.from(document.querySelectorAll('table.providers tr.provider'))"
      + "  .map(tr => Array.from(tr.children).map(td => td.textContent)),"
      + "charts: document.querySelectorAll('svg.share path').length,"
      + "methodRows: document.querySelectorAll('table.methods tr.method').length})";

  @Test
  void providerRowsAppearAndTheirNumbersMove() throws Exception {
    Chromium.ensureInstalled();
    try (DemoProviders demo = DemoProviders.start()) {
      RiataServer server = TestNodes.start(demo.chainsConfig(), "");
      AtomicBoolean loading = new AtomicBoolean(true);
      AtomicLong sent = new AtomicLong();
      List<Thread> load = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int offset = t;
        Thread worker = new Thread(() -> readLoad(server, DEMO_CHAINS, loading, sent, offset), "dashboard-load-" + t);
        worker.start();
        load.add(worker);
      }
      try (Chromium browser = Chromium.open(URI.create("http://127.0.0.1:" + server.operatorPort() + "/dashboard"), 1400, 1100)) {
        int providers = demo.chainsConfig().allChains().stream().mapToInt(c -> c.providers().size()).sum();
        JsonNode first = awaitPage(browser, providers);
        Thread.sleep(2000); // four rollups later
        JsonNode second = TestNodes.json(browser.evaluate(READ_PAGE).asText());

        assertEquals("live", second.get("status").asText());
        assertTrue(second.get("rows").size() >= providers, "provider rows: " + second.get("rows"));
        assertNotEquals(first.get("cluster").asText(), second.get("cluster").asText(), "the tick did not move");
        assertNotEquals(first.get("rows"), second.get("rows"), "no provider's numbers changed in 2 s");
        assertTrue(second.get("charts").asInt() > 0, "no traffic share drawn");
        assertTrue(second.get("methodRows").asInt() > 0, "no per-method latency rows");
        boolean someTraffic = false;
        for (JsonNode row : second.get("rows")) {
          someTraffic |= !row.get(2).asText().equals("0.0") && !row.get(2).asText().equals("–");
        }
        assertTrue(someTraffic, "no provider shows requests/s: " + second.get("rows"));

        String copy = System.getProperty("dashboard.screenshot");
        if (copy != null) {
          Thread.sleep(15_000); // for the picture in the docs: a fuller traffic-share chart
        }
        Path shot = Path.of("target", "dashboard.png");
        browser.screenshot(shot);
        assertTrue(Files.size(shot) > 10_000, "screenshot too small to show anything");
        if (copy != null) {
          Files.copy(shot, Path.of(copy), StandardCopyOption.REPLACE_EXISTING);
        }
        System.out.printf("dashboard page: %d provider rows, tick moved from '%s' to '%s'; %d reads sent%n",
            second.get("rows").size(), first.get("cluster").asText(), second.get("cluster").asText(), sent.get());
      } finally {
        loading.set(false);
        for (Thread worker : load) {
          worker.join(10_000);
        }
        server.close();
      }
    }
  }

  /** A chain's retry figures (per second, as the page computes them) and the hedge marks on its decisions. */
  private static final String READ_RETRIES = "JSON.stringify({"
      + "figures: Object.fromEntries(Array.from(document.querySelectorAll('section.chain .retries .figure'))"
      + "  .map(s => [s.dataset.figure, Number(s.dataset.perSecond)])),"
      + "hedgeMarks: Array.from(document.querySelectorAll('table.decisions td.hedge span')).map(s => s.textContent)})";

  @Test
  void hedgesAndRetryBudgetDenialsShowAsTheChainsFiguresAndOnItsDecisions() throws Exception {
    Chromium.ensureInstalled();
    // The first choice answers in 60 ms and every read is hedged after 10 ms to a provider that
    // answers at once, so hedges are sent and win; the budget lets through half as many hedges as
    // there are reads, so the rest are refused.
    try (SimulatedProvider slow = SimulatedProvider.start(
             SimSettings.healthy("slow", 5).withLatency(Duration.ofMillis(60)));
         SimulatedProvider quick = SimulatedProvider.start(SimSettings.healthy("quick", 5))) {
      ChainConfig chain = TestNodes.chain("hedged", 5, "priority", List.of(
          TestNodes.provider("slow", slow.httpUrl(), 1), TestNodes.provider("quick", quick.httpUrl(), 2)));
      RiataServer server = TestNodes.start(TestNodes.config(List.of(chain), List.of()), """
          riata.http.hedge.delay = 10ms
          riata.http.failover.retry-budget { ratio = 0.5, min-per-second = 1, window = 1s }
          """);
      AtomicBoolean loading = new AtomicBoolean(true);
      AtomicLong sent = new AtomicLong();
      Thread worker = new Thread(() -> readLoad(server, List.of("hedged"), loading, sent, 0), "dashboard-hedge-load");
      try (Chromium browser = Chromium.open(URI.create("http://127.0.0.1:" + server.operatorPort() + "/dashboard"),
          1400, 1100)) {
        awaitPage(browser, 2);
        JsonNode before = TestNodes.json(browser.evaluate(READ_RETRIES).asText());
        for (String figure : List.of("hedges", "hedgesWon", "retries", "retriesDenied")) {
          assertEquals(0.0, before.get("figures").get(figure).asDouble(), figure + " before any read: " + before);
        }

        worker.start();
        await(browser, "(() => { const p = JSON.parse(" + READ_RETRIES + ");"
            + " return p.figures.hedges > 0 && p.figures.hedgesWon > 0 && p.figures.retriesDenied > 0"
            + " && p.hedgeMarks.includes('hedge won'); })()",
            "hedges, hedges won, budget denials and a hedged decision never all showed");
        JsonNode after = TestNodes.json(browser.evaluate(READ_RETRIES).asText());
        assertEquals(0.0, after.get("figures").get("retries").asDouble(), "no read failed, so none was retried");
        // The scrape text is rendered every kamon.metric.tick-interval (5 s).
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String wonLine = hedgesWon(server);
        while (wonLine == null && System.nanoTime() < until) {
          Thread.sleep(500);
          wonLine = hedgesWon(server);
        }
        assertTrue(wonLine != null, "/metrics never counted a hedge that won");
        System.out.printf("dashboard page under hedging: %s per second, decisions marked %s; %s; %d reads sent%n",
            after.get("figures"), after.get("hedgeMarks"), wonLine, sent.get());
      } finally {
        loading.set(false);
        if (worker.isAlive()) {
          worker.join(10_000);
        }
        server.close();
      }
    }
  }

  @Test
  void withATokenThePageAsksForItOnceThenShowsLiveDataAndKeepsItAcrossAReload() throws Exception {
    String token = "page-it-operator-token-42";
    Chromium.ensureInstalled();
    try (DemoProviders demo = DemoProviders.start()) {
      RiataServer server = TestNodes.start(demo.chainsConfig(), "riata.http.admin.token = \"" + token + "\"");
      AtomicBoolean loading = new AtomicBoolean(true);
      AtomicLong sent = new AtomicLong();
      Thread worker = new Thread(() -> readLoad(server, DEMO_CHAINS, loading, sent, 0), "dashboard-token-load");
      worker.start();
      try (Chromium browser = Chromium.open(URI.create("http://127.0.0.1:" + server.operatorPort() + "/dashboard"),
          1400, 1100)) {
        await(browser, "!document.getElementById('login').hidden", "the token form never showed");
        assertEquals("token needed", browser.evaluate("document.getElementById('status').textContent").asText());
        assertTrue(browser.evaluate("document.getElementById('login-error').hidden").asBoolean(),
            "no error before a token was entered");

        typeToken(browser, token + "-wrong");
        await(browser, "!document.getElementById('login-error').hidden", "a wrong token brought no message");
        assertTrue(browser.evaluate("document.getElementById('login-error').textContent").asText()
            .startsWith("Wrong token"), "the message says the token was wrong");
        assertTrue(browser.evaluate("!document.getElementById('login').hidden").asBoolean(), "the form stays");

        typeToken(browser, token);
        int providers = demo.chainsConfig().allChains().stream().mapToInt(c -> c.providers().size()).sum();
        JsonNode first = awaitPage(browser, providers);
        await(browser, "document.getElementById('status').textContent === 'live'", "the page never went live");
        assertTrue(browser.evaluate("document.getElementById('login').hidden").asBoolean(), "the form went away");
        assertTrue(browser.evaluate("!location.href.includes(" + quote(token) + ")").asBoolean(),
            "the token is never in the page's URL");
        String tick = first.get("cluster").asText();
        await(browser, "document.getElementById('cluster').textContent !== " + quote(tick), "the tick did not move");

        browser.evaluate("window.beforeReload = true, location.reload(), true");
        await(browser, "window.beforeReload === undefined", "the page did not reload");
        JsonNode reloaded = awaitPage(browser, providers);
        assertTrue(browser.evaluate("document.getElementById('login').hidden").asBoolean(),
            "after a reload the page asked for the token again");
        System.out.printf("dashboard page with a token: form, wrong token refused, live after the right one "
            + "(%d provider rows), live again after a reload (%s)%n", reloaded.get("rows").size(),
            reloaded.get("cluster").asText());
      } finally {
        loading.set(false);
        worker.join(10_000);
        server.close();
      }
    }
  }

  /** The scrape line counting the test chain's hedges that won, once it is above 0; else {@code null}. */
  private static String hedgesWon(RiataServer server) {
    return TestNodes.getOps(server, "/metrics").body().lines()
        .filter(l -> l.startsWith("riata_hedges_won_total{") && l.contains("chain=\"hedged\""))
        .filter(l -> !l.endsWith(" 0.0"))
        .findFirst().orElse(null);
  }

  /** Types a token into the page's form (DevTools text input into the focused field) and submits it. */
  private static void typeToken(Chromium browser, String token) {
    browser.evaluate("(() => { const i = document.getElementById('token'); i.value = ''; i.focus(); return true; })()");
    browser.send("Input.insertText", TestNodes.JSON.createObjectNode()
        .put("text", token));
    browser.evaluate("document.querySelector('#login button').click(), true");
  }

  private static String quote(String text) {
    return TestNodes.JSON.getNodeFactory().textNode(text).toString();
  }

  /** Waits until a boolean expression holds in the page. */
  private static void await(Chromium browser, String condition, String failure) throws InterruptedException {
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < until) {
      try {
        if (browser.evaluate("Boolean(" + condition + ")").asBoolean()) {
          return;
        }
      } catch (IllegalStateException stillLoading) {
        // the document is not there yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError(failure + " (within 30 s)");
  }

  /** Waits until the page has drawn a row for every provider. */
  private static JsonNode awaitPage(Chromium browser, int providers) throws InterruptedException {
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    JsonNode page = null;
    while (System.nanoTime() < until) {
      try {
        page = TestNodes.json(browser.evaluate(READ_PAGE).asText());
        if (page.get("rows").size() >= providers) {
          return page;
        }
      } catch (IllegalStateException stillLoading) {
        // the document is not there yet
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the page never showed " + providers + " provider rows: " + page);
  }

  /** Reads on the chains in turn from one worker, until told to stop (at most 60 s). */
  private static void readLoad(RiataServer server, List<String> chains, AtomicBoolean loading, AtomicLong sent,
                               int offset) {
    HttpClient http = HttpClient.newHttpClient();
    List<String> methods = new ArrayList<>(List.of("eth_blockNumber", "eth_gasPrice", "eth_getBalance"));
    long stopAt = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    int i = offset;
    while (loading.get() && System.nanoTime() < stopAt) {
      String chain = chains.get(i % chains.size());
      String method = methods.get(i % methods.size());
      String params = method.equals("eth_getBalance") ? "[\"0x" + "1".repeat(40) + "\",\"latest\"]" : "[]";
      try {
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/rpc/" + chain))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(TestNodes.call(method, params, i)))
            .build(), HttpResponse.BodyHandlers.discarding());
        sent.incrementAndGet();
        Thread.sleep(3);
      } catch (Exception e) {
        return;
      }
      i++;
    }
  }
}
