package io.riata.core.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the short duration notation used in {@code chains.yml}: {@code 250ms}, {@code 2s}, {@code 1.5s}, {@code 1m}, {@code 1h}. */
public final class Durations {

  private static final Pattern FORMAT = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)");

  private Durations() {}

  /** The duration, or empty when the text is not in the notation or does not fit in whole nanoseconds. */
  public static Optional<Duration> parse(String text) {
    Matcher m = FORMAT.matcher(text);
    if (!m.matches()) {
      return Optional.empty();
    }
    BigDecimal nanos = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(nanosPerUnit(m.group(2))));
    try {
      return Optional.of(Duration.ofNanos(nanos.setScale(0, RoundingMode.UNNECESSARY).longValueExact()));
    } catch (ArithmeticException e) {
      // a fraction of a nanosecond, or longer than about 292 years
      return Optional.empty();
    }
  }

  private static long nanosPerUnit(String unit) {
    return switch (unit) {
      case "ms" -> Duration.ofMillis(1).toNanos();
      case "s" -> Duration.ofSeconds(1).toNanos();
      case "m" -> Duration.ofMinutes(1).toNanos();
      case "h" -> Duration.ofHours(1).toNanos();
      default -> throw new IllegalArgumentException(unit);
    };
  }
}
