package io.riata.core.config;

import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How provider URLs and headers are written wherever they leave the process (logs, admin API,
 * metrics, dashboard, error data): hosted providers put the API key in a URL's path or query, in
 * its user-info, or in a header, so only the scheme, host and port of a URL and the names of
 * headers are shown. The provider id stays visible everywhere: it says which provider is meant.
 */
public final class Redaction {

  /** What stands in for a hidden part. */
  public static final String MARKER = "<redacted>";

  /** Path segments, query values and header words shorter than this are not hunted for in free text. */
  private static final int MIN_FRAGMENT = 8;

  private Redaction() {}

  /** {@code scheme://host[:port]}, without user-info, path or query. */
  public static String origin(URI uri) {
    if (uri == null) {
      return "null";
    }
    if (uri.getHost() == null) {
      return (uri.getScheme() == null ? "" : uri.getScheme() + "://") + MARKER;
    }
    return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "");
  }

  /**
   * A URL with its user-info, path, query and fragment replaced by {@link #MARKER}:
   * {@code https://user:pass@eth.example.com/v3/KEY?x=1} becomes
   * {@code https://<redacted>@eth.example.com/<redacted>}. A bare {@code /} path stays.
   */
  public static String url(URI uri) {
    if (uri == null || uri.getHost() == null) {
      return origin(uri);
    }
    StringBuilder out = new StringBuilder(uri.getScheme()).append("://");
    if (uri.getRawUserInfo() != null) {
      out.append(MARKER).append('@');
    }
    out.append(uri.getHost());
    if (uri.getPort() >= 0) {
      out.append(':').append(uri.getPort());
    }
    String path = uri.getRawPath();
    boolean hidden = (path != null && !path.isEmpty() && !path.equals("/"))
        || uri.getRawQuery() != null || uri.getRawFragment() != null;
    if (hidden) {
      out.append('/').append(MARKER);
    } else if ("/".equals(path)) {
      out.append('/');
    }
    return out.toString();
  }

  /**
   * Like {@link #url} for text that may not parse as a URL (a mistake in {@code chains.yml}):
   * the scheme and host as written, user-info and anything after the host hidden.
   */
  public static String urlText(String text) {
    int schemeEnd = text.indexOf("://");
    String scheme = schemeEnd < 0 ? "" : text.substring(0, schemeEnd + 3);
    String rest = schemeEnd < 0 ? text : text.substring(schemeEnd + 3);
    int end = rest.length();
    for (char c : new char[] {'/', '?', '#'}) {
      int at = rest.indexOf(c);
      if (at >= 0 && at < end) {
        end = at;
      }
    }
    String authority = rest.substring(0, end);
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      authority = MARKER + "@" + authority.substring(at + 1);
    }
    return scheme + authority + (end < rest.length() ? "/" + MARKER : "");
  }

  /** Header names with every value replaced by {@link #MARKER}, sorted by name. */
  public static Map<String, String> headers(Map<String, String> headers) {
    Map<String, String> out = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.keySet().forEach(name -> out.put(name, MARKER));
    return out;
  }

  /**
   * {@code text} with anything of {@code provider}'s URLs and header values that could be a
   * secret replaced by {@link #MARKER}: for text Riata does not write itself, such as an
   * exception's message or a provider's close reason, which may quote a URL or a key.
   */
  public static String scrub(String text, ProviderConfig provider) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String out = text;
    for (URI uri : new URI[] {provider.httpUrl(), provider.wsUrl()}) {
      if (uri != null) {
        out = out.replace(uri.toString(), url(uri));
      }
    }
    List<String> fragments = new ArrayList<>();
    for (URI uri : new URI[] {provider.httpUrl(), provider.wsUrl()}) {
      if (uri == null) {
        continue;
      }
      add(fragments, uri.getRawUserInfo(), 1);
      add(fragments, uri.getUserInfo(), 1);
      for (String path : new String[] {uri.getRawPath(), uri.getPath()}) {
        if (path != null && path.length() > 1) {
          add(fragments, path, 2);
          for (String segment : path.split("/")) {
            add(fragments, segment, MIN_FRAGMENT);
          }
        }
      }
      for (String query : new String[] {uri.getRawQuery(), uri.getQuery()}) {
        if (query != null) {
          add(fragments, query, 1);
          for (String pair : query.split("&")) {
            add(fragments, pair.substring(pair.indexOf('=') + 1), MIN_FRAGMENT);
          }
        }
      }
    }
    for (String value : provider.headers().values()) {
      add(fragments, value, 1);
      for (String word : value.split("[\\s,;:=]+")) {
        add(fragments, word, MIN_FRAGMENT);
      }
    }
    fragments.sort(Comparator.comparingInt(String::length).reversed());
    for (String fragment : fragments) {
      out = out.replace(fragment, MARKER);
    }
    return out;
  }

  private static void add(List<String> fragments, String fragment, int minLength) {
    if (fragment != null && fragment.length() >= minLength && !fragment.equals(MARKER)) {
      fragments.add(fragment);
    }
  }
}
