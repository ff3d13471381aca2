package io.riata.core.config;

/**
 * One mistake in a configuration file.
 *
 * @param line  1-based line, or 0 when the mistake has no single place (a missing top-level key)
 * @param field dotted path of the offending field, e.g. {@code chains.ethereum.providers[1].url}
 */
public record ConfigError(String file, int line, String field, String message) {

  @Override
  public String toString() {
    return file + ":" + line + ": " + field + ": " + message;
  }
}
