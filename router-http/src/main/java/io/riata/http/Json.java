package io.riata.http;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The ObjectMapper for JSON that Riata writes itself (admin API); thread-safe once configured. */
public final class Json {

  public static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}
}
