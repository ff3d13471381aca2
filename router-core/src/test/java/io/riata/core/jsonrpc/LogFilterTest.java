package io.riata.core.jsonrpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class LogFilterTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String A = "0x" + "a".repeat(40);
  private static final String B = "0x" + "B".repeat(40);
  private static final String T1 = "0x" + "1".repeat(64);
  private static final String T2 = "0x" + "2".repeat(64);

  private static JsonNode json(String text) throws Exception {
    return MAPPER.readTree(text);
  }

  private static LogFilter parse(String text) throws Exception {
    return LogFilter.parse(json(text));
  }

  @Test
  void spellingsOfTheSameFilterShareOneCanonicalForm() throws Exception {
    LogFilter one = parse("{\"address\":[\"" + B + "\",\"" + A + "\"],\"topics\":[\"" + T1 + "\",null,null]}");
    LogFilter two = parse("{\"topics\":[[\"" + T1 + "\"]],\"address\":[\"" + A + "\",\"" + B.toLowerCase() + "\"]}");
    assertEquals(one, two);
    assertEquals("{\"address\":[\"" + A + "\",\"" + B.toLowerCase() + "\"],\"topics\":[[\"" + T1 + "\"]]}", one.json());
  }

  @Test
  void noFilterMatchesEveryLog() throws Exception {
    LogFilter all = LogFilter.parse(null);
    assertEquals("{}", all.json());
    assertTrue(all.matches(json("{\"address\":\"" + A + "\",\"topics\":[]}")));
  }

  @Test
  void matchesByAddressAndTopicPosition() throws Exception {
    LogFilter f = parse("{\"address\":\"" + A + "\",\"topics\":[null,[\"" + T1 + "\",\"" + T2 + "\"]]}");
    assertTrue(f.matches(json("{\"address\":\"" + A.toUpperCase().replace("0X", "0x") + "\",\"topics\":[\"" + T2 + "\",\"" + T2 + "\"]}")));
    assertFalse(f.matches(json("{\"address\":\"" + B + "\",\"topics\":[\"" + T2 + "\",\"" + T2 + "\"]}")), "other address");
    assertFalse(f.matches(json("{\"address\":\"" + A + "\",\"topics\":[\"" + T2 + "\"]}")), "too few topics");
    assertFalse(f.matches(json("{\"address\":\"" + A + "\",\"topics\":[\"" + T1 + "\",\"0x" + "3".repeat(64) + "\"]}")));
  }

  @Test
  void aNullAmongAlternativesMatchesAnything() throws Exception {
    LogFilter f = parse("{\"topics\":[[\"" + T1 + "\",null]]}");
    assertEquals("{}", f.json());
  }

  @Test
  void rejectsWhatASubscriptionCannotServeNamingTheField() {
    assertEquals("the logs filter of a subscription takes \"address\" and \"topics\", not \"fromBlock\" (a subscription starts at the current block)",
        assertThrows(LogFilter.InvalidFilter.class, () -> parse("{\"fromBlock\":\"0x1\"}")).getMessage());
    assertTrue(assertThrows(LogFilter.InvalidFilter.class, () -> parse("{\"address\":\"0x12\"}"))
        .getMessage().startsWith("address is not a 20-byte"));
    assertTrue(assertThrows(LogFilter.InvalidFilter.class, () -> parse("{\"topics\":[null,\"0xzz\"]}"))
        .getMessage().startsWith("topics[1] is not a 32-byte"));
    assertTrue(assertThrows(LogFilter.InvalidFilter.class, () -> parse("{\"topics\":[null,null,null,null,null]}"))
        .getMessage().contains("at most 4"));
    assertThrows(LogFilter.InvalidFilter.class, () -> parse("[1]"));
    assertThrows(LogFilter.InvalidFilter.class, () -> parse("{\"address\":7}"));
  }
}
