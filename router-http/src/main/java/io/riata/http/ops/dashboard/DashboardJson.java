package io.riata.http.ops.dashboard;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.riata.core.rollup.ChainRollup;
import io.riata.core.rollup.ClusterRollup;
import io.riata.core.rollup.Decision;
import io.riata.core.rollup.LatencyHistogram;
import io.riata.core.rollup.MethodStats;
import io.riata.core.rollup.Outcomes;
import io.riata.core.rollup.ProviderRollup;
import io.riata.core.rollup.RetryCounts;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * Writes a {@link ClusterRollup} as the dashboard feed's JSON (schema in docs/dashboard-feed.md).
 * Done once per rollup, whatever the number of subscribers.
 */
public final class DashboardJson {

  /** The feed's schema version; bumped on any change a client could notice. */
  public static final int VERSION = 1;

  private static final JsonFactory FACTORY = new JsonFactory();

  private DashboardJson() {}

  public static String write(ClusterRollup r) {
    StringWriter out = new StringWriter(4096);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("version", VERSION);
      g.writeStringField("type", "rollup");
      g.writeNumberField("seq", r.seq());
      g.writeNumberField("at", r.atMillis());
      g.writeNumberField("intervalMs", r.intervalMillis());
      g.writeObjectFieldStart("aggregator");
      g.writeStringField("node", r.aggregator());
      g.writeNumberField("since", r.aggregatorSince());
      g.writeEndObject();
      g.writeArrayFieldStart("members");
      for (ClusterRollup.Member m : r.members()) {
        g.writeStartObject();
        g.writeStringField("node", m.address());
        g.writeStringField("status", m.status());
        g.writeEndObject();
      }
      g.writeEndArray();
      stringArray(g, "reportingNodes", r.reportingNodes());
      g.writeArrayFieldStart("chains");
      for (ChainRollup c : r.chains()) {
        chain(g, c);
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static void chain(JsonGenerator g, ChainRollup c) throws IOException {
    g.writeStartObject();
    g.writeStringField("chain", c.chain());
    g.writeNumberField("head", c.chainHead());
    long requests = 0;
    long failovers = 0;
    long unanswered = 0;
    for (ProviderRollup p : c.providers()) {
      for (MethodStats m : p.methods()) {
        requests += m.requests();
        failovers += m.failovers();
        unanswered += m.unanswered();
      }
    }
    g.writeNumberField("requests", requests);
    g.writeNumberField("failovers", failovers);
    g.writeNumberField("unanswered", unanswered);
    g.writeNumberField("standInNodes", c.standInNodes());
    RetryCounts retries = c.retries();
    g.writeNumberField("retries", retries.retries());
    g.writeNumberField("retriesDenied", retries.retriesDenied());
    g.writeNumberField("hedges", retries.hedges());
    g.writeNumberField("hedgesWon", retries.hedgesWon());
    g.writeArrayFieldStart("providers");
    for (ProviderRollup p : c.providers()) {
      provider(g, p);
    }
    g.writeEndArray();
    g.writeArrayFieldStart("decisions");
    for (Decision d : c.decisions()) {
      g.writeStartObject();
      g.writeNumberField("at", d.atMillis());
      g.writeStringField("provider", d.provider());
      g.writeStringField("method", d.method());
      g.writeStringField("outcome", d.outcome().toLowerCase(Locale.ROOT));
      g.writeNumberField("latencyMs", d.latencyMicros() / 1000.0);
      g.writeNumberField("attempts", d.attempts());
      g.writeStringField("reason", d.reason());
      g.writeBooleanField("hedged", d.hedged());
      g.writeBooleanField("hedgeWon", d.hedgeWon());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private static void provider(JsonGenerator g, ProviderRollup p) throws IOException {
    long requests = 0;
    long failovers = 0;
    long unanswered = 0;
    Outcomes outcomes = Outcomes.NONE;
    LatencyHistogram latency = LatencyHistogram.empty();
    for (MethodStats m : p.methods()) {
      requests += m.requests();
      failovers += m.failovers();
      unanswered += m.unanswered();
      outcomes = outcomes.plus(m.outcomes());
      latency = latency.merge(m.latency());
    }
    g.writeStartObject();
    g.writeStringField("id", p.providerId());
    g.writeNumberField("head", p.head());
    g.writeNumberField("lag", p.lag());
    g.writeStringField("breaker", p.breaker().name().toLowerCase(Locale.ROOT));
    g.writeBooleanField("drained", p.drained());
    g.writeBooleanField("rogue", p.rogue());
    g.writeNumberField("safe", p.safe());
    g.writeNumberField("finalized", p.finalized());
    g.writeBooleanField("finalizedWentBack", p.finalizedWentBack());
    g.writeBooleanField("rateLimited", p.rateLimited());
    g.writeNumberField("localOpenNodes", p.localOpenNodes());
    counts(g, requests, failovers, unanswered, outcomes);
    percentiles(g, latency);
    g.writeArrayFieldStart("methods");
    for (MethodStats m : p.methods()) {
      g.writeStartObject();
      g.writeStringField("method", m.method());
      counts(g, m.requests(), m.failovers(), m.unanswered(), m.outcomes());
      percentiles(g, m.latency());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private static void counts(JsonGenerator g, long requests, long failovers, long unanswered, Outcomes o)
      throws IOException {
    g.writeNumberField("requests", requests);
    g.writeNumberField("failovers", failovers);
    g.writeNumberField("unanswered", unanswered);
    g.writeNumberField("attempts", o.attempts());
    g.writeObjectFieldStart("outcomes");
    g.writeNumberField("success", o.success());
    g.writeNumberField("caller_error", o.callerError());
    g.writeNumberField("unsupported", o.unsupported());
    g.writeNumberField("rate_limited", o.rateLimited());
    g.writeNumberField("timeout", o.timeout());
    g.writeNumberField("retriable", o.retriable());
    g.writeEndObject();
    if (o.attempts() > 0) {
      g.writeNumberField("successRate", round((double) (o.attempts() - o.providerErrors()) / o.attempts()));
    } else {
      g.writeNullField("successRate");
    }
  }

  private static void percentiles(JsonGenerator g, LatencyHistogram h) throws IOException {
    g.writeObjectFieldStart("latencyMs");
    for (double q : new double[] {0.5, 0.95, 0.99}) {
      String name = q == 0.5 ? "p50" : q == 0.95 ? "p95" : "p99";
      double us = h.percentileMicros(q);
      if (us < 0) {
        g.writeNullField(name);
      } else {
        g.writeNumberField(name, round(us / 1000.0));
      }
    }
    g.writeEndObject();
  }

  private static double round(double v) {
    return Math.round(v * 1000.0) / 1000.0;
  }

  private static void stringArray(JsonGenerator g, String field, java.util.List<String> values) throws IOException {
    g.writeArrayFieldStart(field);
    for (String v : values) {
      g.writeString(v);
    }
    g.writeEndArray();
  }
}
