package io.riata.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * Loads the configuration of a Riata node, in this order of precedence: {@code overrides} (tests,
 * tools), system properties, {@code application.conf} (or {@code -Dconfig.file}), Riata's Pekko
 * settings ({@code riata-pekko.conf}) and library settings ({@code riata-libraries.conf}), then
 * every module's {@code reference.conf}.
 *
 * <p>Riata's Pekko settings are a layer of their own because in the shaded jar all
 * {@code reference.conf} files are concatenated, and Pekko's own defaults (a local, not cluster,
 * actor provider) could follow ours and win.
 */
public final class RiataConfig {

  public static final String PEKKO_SETTINGS = "riata-pekko.conf";

  /** Riata's settings for other libraries (Kamon), from router-http; absent in router-cluster tests. */
  public static final String LIBRARY_SETTINGS = "riata-libraries.conf";

  private RiataConfig() {}

  public static Config load() {
    return load(ConfigFactory.empty());
  }

  public static Config load(Config overrides) {
    ClassLoader loader = RiataConfig.class.getClassLoader();
    Config pekko = ConfigFactory.parseResources(loader, PEKKO_SETTINGS);
    if (pekko.isEmpty()) {
      throw new IllegalStateException(PEKKO_SETTINGS + " is missing from the classpath");
    }
    Config libraries = ConfigFactory.parseResources(loader, LIBRARY_SETTINGS);
    return overrides
        .withFallback(ConfigFactory.defaultOverrides(loader))
        .withFallback(ConfigFactory.defaultApplication(loader))
        .withFallback(pekko)
        .withFallback(libraries)
        .withFallback(ConfigFactory.defaultReference(loader))
        .resolve();
  }
}
