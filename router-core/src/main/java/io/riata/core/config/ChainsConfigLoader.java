package io.riata.core.config;

import io.riata.core.selection.StrategyName;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Reads {@code chains.yml} into a {@link ChainsConfig}.
 *
 * <p>The file is walked as a snakeyaml node tree rather than bound to classes, so that every
 * mistake can be reported with its line and dotted field path. The whole file is checked before
 * anything is thrown: one {@link ConfigException} carries every {@link ConfigError}, sorted by line.
 * Paths index lists from 0, e.g. {@code chains.ethereum.providers[0].http_url}.
 *
 * <p>{@code ${NAME}} and {@code ${NAME:-default}} in scalar values are replaced from the given
 * environment. A value that is empty after substitution counts as absent, so an optional field can
 * be switched off from the environment ({@code ws_url: ${WS_URL:-}}).
 */
public final class ChainsConfigLoader {

  static final Duration DEFAULT_BLOCK_TIME = Duration.ofSeconds(12);
  static final int DEFAULT_MAX_LAG_BLOCKS = 3;
  static final String DEFAULT_STRATEGY = StrategyName.LATENCY_WEIGHTED.id();
  static final long DEFAULT_ARCHIVE_DEPTH = 128;
  static final int DEFAULT_WEIGHT = 1;
  static final int DEFAULT_MAX_CONCURRENCY = 256;

  /** Field name used for problems that belong to the document as a whole. */
  static final String DOCUMENT = "(document)";

  private static final List<String> TOP_KEYS = List.of("chains", "profiles");
  private static final List<String> CHAIN_KEYS =
      List.of("chain_id", "block_time", "max_lag_blocks", "strategy", "archive_depth", "head_quorum",
          "max_ahead_blocks", "finality_interval", "providers");
  private static final List<String> PROVIDER_KEYS = List.of(
      "id", "http_url", "ws_url", "priority", "weight", "archival", "allow_methods", "deny_methods",
      "request_timeout", "headers", "max_concurrency");
  private static final List<String> PROFILE_KEYS = List.of("chains", "providers");

  private static final Pattern CHAIN_NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");
  private static final Pattern PROVIDER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
  private static final Pattern PROFILE_NAME = PROVIDER_ID;
  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
  private static final Pattern DECIMAL = Pattern.compile("[-+]?(?:0|[1-9][0-9_]*)");
  private static final Pattern HEX = Pattern.compile("0x[0-9a-fA-F_]+");

  private final String source;
  private final Map<String, String> env;
  private final Resolver resolver = new Resolver();
  private final List<ConfigError> errors = new ArrayList<>();
  /** Chain names seen, valid or not, so profiles referring to a broken chain add no second error. */
  private final Set<String> declaredChains = new LinkedHashSet<>();
  /** Provider id to the path of its first declaration; ids are unique across the file. */
  private final Map<String, String> declaredProviders = new LinkedHashMap<>();
  private final Map<Long, String> chainIds = new HashMap<>();

  private ChainsConfigLoader(String source, Map<String, String> env) {
    this.source = source;
    this.env = env;
  }

  /** Reads and validates {@code file} (UTF-8); errors name the file as {@code file.toString()}. */
  public static ChainsConfig load(Path file, Map<String, String> env) throws IOException, ConfigException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    return parse(file.toString(), text, env);
  }

  /**
   * Validates {@code yamlText}.
   *
   * @param source name used in errors and kept as {@link ChainsConfig#source()}, usually the file path
   * @param env    values for {@code ${NAME}} references, usually {@code System.getenv()}
   */
  public static ChainsConfig parse(String source, String yamlText, Map<String, String> env)
      throws ConfigException {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(yamlText, "yamlText");
    Objects.requireNonNull(env, "env");
    return new ChainsConfigLoader(source, env).read(yamlText);
  }

  private ChainsConfig read(String yamlText) throws ConfigException {
    Node root;
    try {
      root = new Yaml().compose(new StringReader(yamlText));
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      int line = mark == null ? 0 : mark.getLine() + 1;
      String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
      if (e.getContext() != null) {
        problem = problem + " (" + e.getContext() + ")";
      }
      throw new ConfigException(List.of(new ConfigError(source, line, DOCUMENT, "malformed YAML: " + problem)));
    } catch (YAMLException e) {
      throw new ConfigException(List.of(new ConfigError(source, 0, DOCUMENT, "malformed YAML: " + e.getMessage())));
    }

    Map<String, ChainConfig> chains = new LinkedHashMap<>();
    Map<String, ProfileConfig> profiles = new LinkedHashMap<>();
    if (root == null || isNullScalar(root)) {
      error(0, "chains", "required; the file is empty");
    } else if (!(root instanceof MappingNode top)) {
      error(line(root), DOCUMENT, "expected a mapping with a \"chains\" key, got " + describe(root));
    } else {
      Fields fields = fields(top, "", 0, TOP_KEYS);
      Node chainsNode = fields.required("chains");
      if (chainsNode != null) {
        readChains(chainsNode, chains);
      }
      // Read after the chains wherever it sits in the file, so references can be checked.
      Node profilesNode = fields.value("profiles");
      if (profilesNode != null) {
        readProfiles(profilesNode, profiles);
      }
    }
    if (!errors.isEmpty()) {
      List<ConfigError> sorted = new ArrayList<>(errors);
      sorted.sort(Comparator.comparingInt(ConfigError::line));
      throw new ConfigException(sorted);
    }
    return new ChainsConfig(source, chains, profiles);
  }

  // ---- chains -------------------------------------------------------------------------------

  private void readChains(Node node, Map<String, ChainConfig> out) {
    MappingNode mapping = mapping(node, "chains", "a mapping of chain names to chains");
    if (mapping == null) {
      return;
    }
    if (mapping.getValue().isEmpty()) {
      error(line(mapping), "chains", "must declare at least one chain");
      return;
    }
    Fields fields = fields(mapping, "chains", line(mapping), null);
    for (Entry entry : fields.entries()) {
      String path = "chains." + entry.key();
      boolean nameOk = CHAIN_NAME.matcher(entry.key()).matches();
      if (!nameOk) {
        error(entry.keyLine(), path,
            "chain name " + quote(entry.key()) + " must be lowercase letters, digits and '-', not starting with '-'");
      }
      declaredChains.add(entry.key());
      ChainConfig chain = readChain(entry, path);
      if (chain != null && nameOk) {
        out.put(entry.key(), chain);
      }
    }
  }

  private ChainConfig readChain(Entry entry, String path) {
    if (isAbsent(entry.value())) {
      error(entry.keyLine(), path, "expected a chain with chain_id and providers, got nothing");
      return null;
    }
    MappingNode mapping = mapping(entry.value(), path, "a mapping with chain_id and providers");
    if (mapping == null) {
      return null;
    }
    int errorsBefore = errors.size();
    Fields fields = fields(mapping, path, entry.keyLine(), CHAIN_KEYS);

    Long chainId = fields.required("chain_id", (n, p) -> integer(n, p, 1, Long.MAX_VALUE));
    if (chainId != null) {
      String owner = chainIds.putIfAbsent(chainId, entry.key());
      if (owner != null) {
        error(line(fields.value("chain_id")), fields.path("chain_id"),
            "chain id " + chainId + " is already used by chain " + quote(owner));
      }
    }
    Duration blockTime = fields.optional("block_time", this::positiveDuration, DEFAULT_BLOCK_TIME);
    long maxLag = fields.optional("max_lag_blocks", (n, p) -> integer(n, p, 0, Integer.MAX_VALUE),
        (long) DEFAULT_MAX_LAG_BLOCKS);
    String strategy = fields.optional("strategy", this::strategy, DEFAULT_STRATEGY);
    long archiveDepth = fields.optional("archive_depth", (n, p) -> integer(n, p, 0, Long.MAX_VALUE),
        DEFAULT_ARCHIVE_DEPTH);
    long headQuorum = fields.optional("head_quorum", (n, p) -> integer(n, p, 0, 1_000), 0L);
    long maxAhead = fields.optional("max_ahead_blocks", (n, p) -> integer(n, p, 1, Long.MAX_VALUE),
        ChainConfig.defaultMaxAheadBlocks((int) maxLag));
    Duration finalityInterval = fields.optional("finality_interval", this::positiveDuration,
        ChainConfig.defaultFinalityInterval(blockTime == null ? DEFAULT_BLOCK_TIME : blockTime));
    List<ProviderConfig> providers = fields.required("providers", this::providers);

    if (errors.size() != errorsBefore) {
      return null;
    }
    if (providers != null && headQuorum > providers.size()) {
      error(line(fields.value("head_quorum")), fields.path("head_quorum"),
          "a quorum of " + headQuorum + " cannot be reached by " + providers.size() + " providers");
      return null;
    }
    return new ChainConfig(entry.key(), chainId, blockTime, (int) maxLag, strategy, archiveDepth, (int) headQuorum,
        maxAhead, finalityInterval, providers);
  }

  private List<ProviderConfig> providers(Node node, String path) {
    if (!(node instanceof SequenceNode sequence)) {
      error(line(node), path, "expected a list of providers, got " + describe(node));
      return null;
    }
    if (sequence.getValue().isEmpty()) {
      error(line(sequence), path, "must list at least one provider");
      return null;
    }
    List<ProviderConfig> out = new ArrayList<>();
    List<Node> items = sequence.getValue();
    for (int i = 0; i < items.size(); i++) {
      ProviderConfig provider = readProvider(items.get(i), path + "[" + i + "]", i + 1);
      if (provider != null) {
        out.add(provider);
      }
    }
    return out.size() == items.size() ? out : null;
  }

  private ProviderConfig readProvider(Node node, String path, int position) {
    MappingNode mapping = mapping(node, path, "a provider mapping with id and http_url");
    if (mapping == null) {
      return null;
    }
    int errorsBefore = errors.size();
    Fields fields = fields(mapping, path, line(mapping), PROVIDER_KEYS);

    String id = fields.required("id", this::providerId);
    if (id != null) {
      String first = declaredProviders.putIfAbsent(id, path);
      if (first != null) {
        error(line(fields.value("id")), fields.path("id"),
            "provider id " + quote(id) + " is already used by " + first + "; ids must be unique across the file");
      }
    }
    URI httpUrl = fields.required("http_url", (n, p) -> url(n, p, "http", "https"));
    URI wsUrl = fields.optional("ws_url", (n, p) -> url(n, p, "ws", "wss"), null);
    long priority = fields.optional("priority", (n, p) -> integer(n, p, Integer.MIN_VALUE, Integer.MAX_VALUE),
        (long) position);
    long weight = fields.optional("weight", (n, p) -> integer(n, p, 1, Integer.MAX_VALUE), (long) DEFAULT_WEIGHT);
    boolean archival = fields.optional("archival", this::bool, false);
    List<Item> allow = fields.optional("allow_methods", this::stringList, List.of());
    List<Item> deny = fields.optional("deny_methods", this::stringList, List.of());
    Duration requestTimeout = fields.optional("request_timeout", this::positiveDuration, null);
    Map<String, String> headers = fields.optional("headers", this::headers, Map.of());
    long maxConcurrency = fields.optional("max_concurrency", (n, p) -> integer(n, p, 1, Integer.MAX_VALUE),
        (long) DEFAULT_MAX_CONCURRENCY);

    if (errors.size() != errorsBefore) {
      return null;
    }
    return new ProviderConfig(id, httpUrl, wsUrl, (int) priority, (int) weight, archival, values(allow),
        values(deny), requestTimeout, headers, (int) maxConcurrency);
  }

  // ---- profiles -----------------------------------------------------------------------------

  private void readProfiles(Node node, Map<String, ProfileConfig> out) {
    MappingNode mapping = mapping(node, "profiles", "a mapping of profile names to profiles");
    if (mapping == null) {
      return;
    }
    Fields fields = fields(mapping, "profiles", line(mapping), null);
    for (Entry entry : fields.entries()) {
      String path = "profiles." + entry.key();
      int errorsBefore = errors.size();
      if (!PROFILE_NAME.matcher(entry.key()).matches()) {
        error(entry.keyLine(), path, "profile name " + quote(entry.key())
            + " must be letters, digits, '_', '.' and '-', starting with a letter or digit");
      }
      List<Item> chains = List.of();
      List<Item> providers = List.of();
      if (!isAbsent(entry.value())) {
        MappingNode body = mapping(entry.value(), path, "a mapping with chains and/or providers");
        if (body != null) {
          Fields profile = fields(body, path, entry.keyLine(), PROFILE_KEYS);
          chains = profile.optional("chains", this::stringList, List.of());
          providers = profile.optional("providers", this::stringList, List.of());
        }
      }
      for (Item chain : chains) {
        if (!declaredChains.contains(chain.value())) {
          error(chain.line(), chain.path(),
              "unknown chain " + quote(chain.value()) + "; declared chains: " + String.join(", ", declaredChains));
        }
      }
      for (Item provider : providers) {
        if (!declaredProviders.containsKey(provider.value())) {
          error(provider.line(), provider.path(), "unknown provider " + quote(provider.value())
              + "; declared providers: " + String.join(", ", declaredProviders.keySet()));
        }
      }
      if (errors.size() == errorsBefore) {
        out.put(entry.key(), new ProfileConfig(entry.key(), values(chains), values(providers)));
      }
    }
  }

  // ---- value readers: each reports its own errors and returns null when the value is unusable ----

  @FunctionalInterface
  private interface ValueReader<T> {
    T read(Node node, String path);
  }

  /** One string out of a list, with where it was written. */
  private record Item(String value, int line, String path) {}

  /** A scalar after {@code ${...}} substitution; {@code raw} is the text as written in the file. */
  private record Scalar(String raw, String value, Tag tag, int line) {}

  private Long integer(Node node, String path, long min, long max) {
    Scalar s = scalar(node, path, "an integer");
    if (s == null) {
      return null;
    }
    // Decimal, or hex as chain ids are often written (0x89); YAML 1.1's octal and base-60 forms are refused.
    String text = s.value().replace("_", "");
    boolean hex = HEX.matcher(s.value()).matches();
    if (!Tag.INT.equals(s.tag()) || !(hex || DECIMAL.matcher(s.value()).matches())) {
      error(s.line(), path, "expected an integer, got " + quote(s.raw()));
      return null;
    }
    long value;
    try {
      value = hex ? Long.parseLong(text.substring(2), 16) : Long.parseLong(text);
    } catch (NumberFormatException e) {
      error(s.line(), path, "integer " + quote(s.raw()) + " is too large");
      return null;
    }
    if (value < min) {
      error(s.line(), path, "must be at least " + min + ", got " + value);
      return null;
    }
    if (value > max) {
      error(s.line(), path, "must be at most " + max + ", got " + value);
      return null;
    }
    return value;
  }

  private Boolean bool(Node node, String path) {
    Scalar s = scalar(node, path, "true or false");
    if (s == null) {
      return null;
    }
    if (!Tag.BOOL.equals(s.tag())) {
      error(s.line(), path, "expected true or false, got " + quote(s.raw()));
      return null;
    }
    String v = s.value().toLowerCase(Locale.ROOT);
    return v.equals("true") || v.equals("yes") || v.equals("on");
  }

  private Duration positiveDuration(Node node, String path) {
    Scalar s = scalar(node, path, "a duration");
    if (s == null) {
      return null;
    }
    Duration d = Durations.parse(s.value()).orElse(null);
    if (d == null) {
      error(s.line(), path, "expected a duration like 500ms or 2s, got " + quote(s.raw()));
      return null;
    }
    if (d.isZero()) {
      error(s.line(), path, "must be greater than zero, got " + quote(s.raw()));
      return null;
    }
    return d;
  }

  private String string(Node node, String path) {
    Scalar s = scalar(node, path, "a string");
    return s == null ? null : s.value();
  }

  private String strategy(Node node, String path) {
    Scalar s = scalar(node, path, "a strategy name");
    if (s == null) {
      return null;
    }
    if (StrategyName.parse(s.value()).isEmpty()) {
      String known = Arrays.stream(StrategyName.values()).map(StrategyName::id).collect(Collectors.joining(", "));
      error(s.line(), path, "unknown strategy " + quote(s.raw()) + "; known strategies: " + known);
      return null;
    }
    return s.value();
  }

  private String providerId(Node node, String path) {
    Scalar s = scalar(node, path, "a provider id");
    if (s == null) {
      return null;
    }
    if (!PROVIDER_ID.matcher(s.value()).matches()) {
      error(s.line(), path, "provider id " + quote(s.raw())
          + " must be letters, digits, '_', '.' and '-', starting with a letter or digit");
      return null;
    }
    return s.value();
  }

  private URI url(Node node, String path, String... schemes) {
    Scalar s = scalar(node, path, "a URL");
    if (s == null) {
      return null;
    }
    // Messages quote the text as written, not the substituted value, and without what follows
    // the host: URLs often embed API keys, sometimes literally in the file.
    String expected = "expected an absolute " + String.join(" or ", schemes) + " URL with a host, got "
        + quote(Redaction.urlText(s.raw()));
    URI uri;
    try {
      uri = new URI(s.value());
    } catch (URISyntaxException e) {
      error(s.line(), path, expected + " (" + e.getReason() + ")");
      return null;
    }
    String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
    if (scheme == null || !Arrays.asList(schemes).contains(scheme) || uri.getHost() == null) {
      error(s.line(), path, expected);
      return null;
    }
    return uri;
  }

  private List<Item> stringList(Node node, String path) {
    if (!(node instanceof SequenceNode sequence)) {
      error(line(node), path, "expected a list of strings, got " + describe(node));
      return null;
    }
    List<Item> out = new ArrayList<>();
    boolean ok = true;
    List<Node> items = sequence.getValue();
    for (int i = 0; i < items.size(); i++) {
      String itemPath = path + "[" + i + "]";
      Node item = items.get(i);
      if (isAbsent(item)) {
        error(line(item), itemPath, "must not be empty");
        ok = false;
        continue;
      }
      String value = string(item, itemPath);
      if (value == null) {
        ok = false;
      } else {
        out.add(new Item(value, line(item), itemPath));
      }
    }
    return ok ? out : null;
  }

  private Map<String, String> headers(Node node, String path) {
    MappingNode mapping = mapping(node, path, "a mapping of header names to values");
    if (mapping == null) {
      return null;
    }
    int errorsBefore = errors.size();
    Map<String, String> out = new LinkedHashMap<>();
    for (Entry entry : fields(mapping, path, line(mapping), null).entries()) {
      String headerPath = path + "." + entry.key();
      if (!HEADER_NAME.matcher(entry.key()).matches()) {
        error(entry.keyLine(), headerPath, "not a valid HTTP header name: " + quote(entry.key()));
      }
      if (isAbsent(entry.value())) {
        error(entry.keyLine(), headerPath, "header value must not be empty");
        continue;
      }
      String value = string(entry.value(), headerPath);
      if (value != null && (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0)) {
        error(line(entry.value()), headerPath, "header value must not contain line breaks");
      } else if (value != null) {
        out.put(entry.key(), value);
      }
    }
    return errors.size() == errorsBefore ? out : null;
  }

  /**
   * The node as a substituted scalar, or null after reporting why not. {@code what} names the
   * expected value for the message when the node is a list or a mapping.
   */
  private Scalar scalar(Node node, String path, String what) {
    if (!(node instanceof ScalarNode scalarNode)) {
      error(line(node), path, "expected " + what + ", got " + describe(node));
      return null;
    }
    String raw = scalarNode.getValue();
    Substitution sub = substitute(raw);
    if (!sub.problems().isEmpty()) {
      for (String problem : sub.problems()) {
        error(line(node), path, problem);
      }
      return null;
    }
    if (sub.value().equals(raw)) {
      return new Scalar(raw, raw, scalarNode.getTag(), line(node));
    }
    // Text from the environment is untyped, so it is typed the way a plain YAML scalar would be:
    // chain_id: ${CHAIN_ID} with CHAIN_ID=1 is an integer.
    return new Scalar(raw, sub.value(), resolver.resolve(NodeId.scalar, sub.value(), true), line(node));
  }

  private record Substitution(String value, List<String> problems) {}

  private Substitution substitute(String raw) {
    if (!raw.contains("${")) {
      return new Substitution(raw, List.of());
    }
    List<String> problems = new ArrayList<>();
    StringBuilder out = new StringBuilder();
    Matcher m = VARIABLE.matcher(raw);
    int literalStart = 0;
    while (m.find()) {
      checkLiteral(raw.substring(literalStart, m.start()), problems);
      out.append(raw, literalStart, m.start());
      String name = m.group(1);
      String fallback = m.group(2);
      String value = env.get(name);
      if (fallback != null && (value == null || value.isEmpty())) {
        value = fallback;
      }
      if (value == null) {
        problems.add("environment variable " + name + " is not set and ${" + name + "} has no default");
      } else {
        out.append(value);
      }
      literalStart = m.end();
    }
    checkLiteral(raw.substring(literalStart), problems);
    out.append(raw, literalStart, raw.length());
    return new Substitution(out.toString(), problems);
  }

  private static void checkLiteral(String literal, List<String> problems) {
    if (literal.contains("${")) {
      // From the reference on only: the text before it may be a key written into the file.
      problems.add("malformed variable reference in " + quote(literal.substring(literal.indexOf("${")))
          + "; expected ${NAME} or ${NAME:-default}");
    }
  }

  // ---- mappings -----------------------------------------------------------------------------

  /** One key of a mapping, with the line of the key. */
  private record Entry(String key, int keyLine, Node value) {}

  /**
   * The keys of one mapping, checked for duplicates and (when {@code known} is given) typos.
   * {@code line} is where the mapping's owner was declared; "required" errors point there.
   */
  private Fields fields(MappingNode mapping, String path, int line, List<String> known) {
    Map<String, Entry> byKey = new LinkedHashMap<>();
    for (NodeTuple tuple : mapping.getValue()) {
      Node keyNode = tuple.getKeyNode();
      if (!(keyNode instanceof ScalarNode keyScalar) || isNullScalar(keyNode)) {
        error(line(keyNode), path.isEmpty() ? DOCUMENT : path,
            "keys must be plain names, got " + describe(keyNode));
        continue;
      }
      String key = keyScalar.getValue();
      Entry entry = new Entry(key, line(keyNode), tuple.getValueNode());
      Entry first = byKey.putIfAbsent(key, entry);
      if (first != null) {
        error(entry.keyLine(), join(path, key), "duplicate key " + quote(key) + " (first at line " + first.keyLine() + ")");
      } else if (known != null && !known.contains(key)) {
        byKey.remove(key);
        error(entry.keyLine(), join(path, key), unknownKey(key, known));
      }
    }
    return new Fields(path, line, byKey);
  }

  private final class Fields {
    private final String path;
    private final int line;
    private final Map<String, Entry> byKey;

    Fields(String path, int line, Map<String, Entry> byKey) {
      this.path = path;
      this.line = line;
      this.byKey = byKey;
    }

    List<Entry> entries() {
      return List.copyOf(byKey.values());
    }

    String path(String key) {
      return join(path, key);
    }

    /** The value, or null when the key is missing or its value is empty. */
    Node value(String key) {
      Entry entry = byKey.get(key);
      return entry == null || isAbsent(entry.value()) ? null : entry.value();
    }

    Node required(String key) {
      Node node = value(key);
      if (node == null) {
        Entry entry = byKey.get(key);
        if (entry == null) {
          error(line, path(key), "required");
        } else {
          error(entry.keyLine(), path(key), "required, but the value is empty");
        }
      }
      return node;
    }

    <T> T required(String key, ValueReader<T> reader) {
      Node node = required(key);
      return node == null ? null : reader.read(node, path(key));
    }

    <T> T optional(String key, ValueReader<T> reader, T fallback) {
      Node node = value(key);
      if (node == null) {
        return fallback;
      }
      T value = reader.read(node, path(key));
      // An unusable value has been reported; the fallback only keeps the walk going.
      return value == null ? fallback : value;
    }
  }

  private MappingNode mapping(Node node, String path, String what) {
    if (node instanceof MappingNode m) {
      return m;
    }
    error(line(node), path, "expected " + what + ", got " + describe(node));
    return null;
  }

  // ---- small helpers ------------------------------------------------------------------------

  /** Missing in effect: YAML null ({@code key:}, {@code ~}) or a scalar that substitutes to nothing. */
  private boolean isAbsent(Node node) {
    if (isNullScalar(node)) {
      return true;
    }
    if (node instanceof ScalarNode s && s.getValue().contains("${")) {
      Substitution sub = substitute(s.getValue());
      return sub.problems().isEmpty() && sub.value().isEmpty();
    }
    return false;
  }

  private static boolean isNullScalar(Node node) {
    return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
  }

  private static Set<String> values(List<Item> items) {
    Set<String> out = new LinkedHashSet<>();
    for (Item item : items) {
      out.add(item.value());
    }
    return out;
  }

  private static int line(Node node) {
    return node.getStartMark().getLine() + 1;
  }

  private static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  private static String describe(Node node) {
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    if (isNullScalar(node)) {
      return "nothing";
    }
    return quote(((ScalarNode) node).getValue());
  }

  private static String quote(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static String unknownKey(String key, List<String> known) {
    String message = "unknown key " + quote(key) + "; known keys: " + String.join(", ", known);
    String closest = null;
    int best = 3; // suggest only near misses: at most two edits away
    for (String candidate : known) {
      int d = editDistance(key, candidate);
      if (d < best) {
        best = d;
        closest = candidate;
      }
    }
    return closest == null ? message : message + "; did you mean " + quote(closest) + "?";
  }

  private static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  private void error(int line, String field, String message) {
    errors.add(new ConfigError(source, line, field, message));
  }
}
