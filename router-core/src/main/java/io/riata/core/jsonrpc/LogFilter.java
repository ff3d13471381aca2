package io.riata.core.jsonrpc;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The filter of a {@code logs} subscription: addresses (any of them; none means any address) and
 * up to four topic positions (each: any topic, or one of a set). Values are lower-cased and sets
 * sorted, so two clients asking for the same logs in different spellings share one upstream
 * subscription; {@link #json()} is that canonical form, usable as a key and as the filter sent on.
 *
 * @param addresses sorted, lower-case; empty for any
 * @param topics    per position, sorted lower-case alternatives; an empty list for "any"; trailing
 *                  "any" positions removed
 */
public record LogFilter(List<String> addresses, List<List<String>> topics) {

  private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");
  private static final Pattern TOPIC = Pattern.compile("0x[0-9a-fA-F]{64}");

  public LogFilter {
    addresses = List.copyOf(addresses);
    topics = topics.stream().map(List::copyOf).toList();
  }

  /** Thrown for a filter Riata cannot serve; the message names the field. */
  public static final class InvalidFilter extends Exception {
    public InvalidFilter(String message) {
      super(message);
    }
  }

  /** Reads the second {@code eth_subscribe("logs", ...)} parameter; {@code null} or missing means all logs. */
  public static LogFilter parse(JsonNode filter) throws InvalidFilter {
    if (filter == null || filter.isNull() || filter.isMissingNode()) {
      return new LogFilter(List.of(), List.of());
    }
    if (!filter.isObject()) {
      throw new InvalidFilter("the logs filter must be an object with \"address\" and/or \"topics\"");
    }
    Iterator<String> names = filter.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!name.equals("address") && !name.equals("topics")) {
        throw new InvalidFilter("the logs filter of a subscription takes \"address\" and \"topics\", not \"" + name
            + "\" (a subscription starts at the current block)");
      }
    }
    TreeSet<String> addresses = new TreeSet<>();
    JsonNode address = filter.path("address");
    if (address.isTextual()) {
      addresses.add(checked(address.asText(), ADDRESS, "address"));
    } else if (address.isArray()) {
      for (JsonNode a : address) {
        addresses.add(checked(a.asText(null), ADDRESS, "address"));
      }
    } else if (!address.isMissingNode() && !address.isNull()) {
      throw new InvalidFilter("\"address\" must be an address or an array of addresses");
    }
    List<List<String>> topics = new ArrayList<>();
    JsonNode topicsNode = filter.path("topics");
    if (topicsNode.isArray()) {
      if (topicsNode.size() > 4) {
        throw new InvalidFilter("\"topics\" has " + topicsNode.size() + " positions; a log has at most 4");
      }
      for (int i = 0; i < topicsNode.size(); i++) {
        JsonNode position = topicsNode.get(i);
        TreeSet<String> alternatives = new TreeSet<>();
        if (position.isTextual()) {
          alternatives.add(checked(position.asText(), TOPIC, "topics[" + i + "]"));
        } else if (position.isArray()) {
          for (JsonNode t : position) {
            if (t.isNull()) {
              alternatives.clear(); // null among alternatives matches anything
              break;
            }
            alternatives.add(checked(t.asText(null), TOPIC, "topics[" + i + "]"));
          }
        } else if (!position.isNull()) {
          throw new InvalidFilter("topics[" + i + "] must be a topic, an array of topics, or null");
        }
        topics.add(List.copyOf(alternatives));
      }
    } else if (!topicsNode.isMissingNode() && !topicsNode.isNull()) {
      throw new InvalidFilter("\"topics\" must be an array");
    }
    while (!topics.isEmpty() && topics.get(topics.size() - 1).isEmpty()) {
      topics.remove(topics.size() - 1);
    }
    return new LogFilter(List.copyOf(addresses), topics);
  }

  private static String checked(String value, Pattern pattern, String field) throws InvalidFilter {
    if (value == null || !pattern.matcher(value).matches()) {
      throw new InvalidFilter(field + " is not a " + (pattern == ADDRESS ? "20" : "32") + "-byte 0x-prefixed hex value: "
          + value);
    }
    return value.toLowerCase(Locale.ROOT);
  }

  /** Whether a log (an object with {@code address} and {@code topics}) passes this filter. */
  public boolean matches(JsonNode log) {
    if (!addresses.isEmpty() && !addresses.contains(log.path("address").asText("").toLowerCase(Locale.ROOT))) {
      return false;
    }
    JsonNode logTopics = log.path("topics");
    for (int i = 0; i < topics.size(); i++) {
      List<String> alternatives = topics.get(i);
      if (alternatives.isEmpty()) {
        continue;
      }
      if (i >= logTopics.size() || !alternatives.contains(logTopics.get(i).asText("").toLowerCase(Locale.ROOT))) {
        return false;
      }
    }
    return true;
  }

  /** The canonical JSON object: {@code {"address":[...],"topics":[...]}}, keys left out when empty. */
  public String json() {
    StringBuilder b = new StringBuilder("{");
    if (!addresses.isEmpty()) {
      b.append("\"address\":").append(array(addresses));
    }
    if (!topics.isEmpty()) {
      if (b.length() > 1) {
        b.append(',');
      }
      b.append("\"topics\":[");
      for (int i = 0; i < topics.size(); i++) {
        if (i > 0) {
          b.append(',');
        }
        b.append(topics.get(i).isEmpty() ? "null" : array(topics.get(i)));
      }
      b.append(']');
    }
    return b.append('}').toString();
  }

  private static String array(List<String> values) {
    return "[" + String.join(",", values.stream().map(v -> "\"" + v + "\"").toList()) + "]";
  }
}
