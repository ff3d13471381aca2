package io.riata.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChainsConfigLoaderTest {

  private static final String FILE = "chains.yml";

  private static final String MINIMAL = """
      chains:
        ethereum:
          chain_id: 1
          providers:
            - id: eth-a
              http_url: https://eth-a.example
            - id: eth-b
              http_url: https://eth-b.example
      """;

  // ---- valid files ----------------------------------------------------------------------------

  @Test
  void readsEveryFieldOfAFullFile() throws Exception {
    ChainsConfig config = parse("""
        chains:
          zksync:
            chain_id: 324
            block_time: 1s
            max_lag_blocks: 10
            strategy: round-robin
            archive_depth: 0
            providers:
              - id: zk-a
                http_url: https://zk.example
          ethereum:
            chain_id: 1
            block_time: 12s
            max_lag_blocks: 5
            strategy: fastest
            archive_depth: 256
            providers:
              - id: eth-a
                http_url: https://eth-a.example/v1
                ws_url: wss://eth-a.example/ws
                priority: 7
                weight: 3
                archival: true
                allow_methods: [eth_call, eth_getLogs]
                deny_methods: [debug_traceTransaction]
                request_timeout: 1.5s
                headers: {Authorization: "Bearer abc", X-Team: riata}
                max_concurrency: 64
              - id: eth_b.2
                http_url: http://10.0.0.5:8545
          polygon:
            chain_id: 0x89
            block_time: 250ms
            strategy: priority
            providers:
              - id: polygon-a
                http_url: https://polygon.example
        profiles:
          archive:
            chains: [ethereum]
            providers: [eth-a]
          everything: {}
          bare:
        """);

    assertEquals(FILE, config.source());
    assertEquals(List.of("zksync", "ethereum", "polygon"), List.copyOf(config.chains().keySet()));
    assertEquals(List.of("archive", "everything", "bare"), List.copyOf(config.profiles().keySet()));

    ChainConfig eth = config.chains().get("ethereum");
    assertEquals("ethereum", eth.name());
    assertEquals(1, eth.chainId());
    assertEquals(Duration.ofSeconds(12), eth.blockTime());
    assertEquals(5, eth.maxLagBlocks());
    assertEquals("fastest", eth.defaultStrategy());
    assertEquals(256, eth.archiveDepth());
    assertEquals(2, eth.providers().size());

    ProviderConfig a = eth.providers().get(0);
    assertEquals("eth-a", a.id());
    assertEquals(URI.create("https://eth-a.example/v1"), a.httpUrl());
    assertEquals(URI.create("wss://eth-a.example/ws"), a.wsUrl());
    assertEquals(7, a.priority());
    assertEquals(3, a.weight());
    assertTrue(a.archival());
    assertEquals(Set.of("eth_call", "eth_getLogs"), a.allowMethods());
    assertEquals(Set.of("debug_traceTransaction"), a.denyMethods());
    assertEquals(Duration.ofMillis(1500), a.requestTimeout());
    assertEquals(Map.of("Authorization", "Bearer abc", "X-Team", "riata"), a.headers());
    assertEquals(64, a.maxConcurrency());

    ProviderConfig b = eth.providers().get(1);
    assertEquals("eth_b.2", b.id());
    assertEquals(URI.create("http://10.0.0.5:8545"), b.httpUrl());
    assertEquals(2, b.priority(), "position in the list when priority is not given");

    ChainConfig polygon = config.chains().get("polygon");
    assertEquals(137, polygon.chainId(), "hex chain ids are read as hex");
    assertEquals(Duration.ofMillis(250), polygon.blockTime());
    assertEquals("priority", polygon.defaultStrategy());

    ChainConfig zksync = config.chains().get("zksync");
    assertEquals(10, zksync.maxLagBlocks());
    assertEquals(0, zksync.archiveDepth());
    assertEquals("round-robin", zksync.defaultStrategy());

    ProfileConfig archive = config.profiles().get("archive");
    assertEquals(Set.of("ethereum"), archive.chains());
    assertEquals(Set.of("eth-a"), archive.providers());
    assertTrue(config.profiles().get("everything").includesChain("polygon"));
    assertTrue(config.profiles().get("bare").chains().isEmpty());
  }

  @Test
  void fillsInDefaultsForOptionalFields() throws Exception {
    ChainsConfig config = parse(MINIMAL);

    ChainConfig eth = config.chains().get("ethereum");
    assertEquals(Duration.ofSeconds(12), eth.blockTime());
    assertEquals(3, eth.maxLagBlocks());
    assertEquals("latency-weighted", eth.defaultStrategy());
    assertEquals(128, eth.archiveDepth());
    assertTrue(config.profiles().isEmpty());

    ProviderConfig a = eth.providers().get(0);
    assertNull(a.wsUrl());
    assertEquals(1, a.priority());
    assertEquals(1, a.weight());
    assertFalse(a.archival());
    assertTrue(a.allowMethods().isEmpty());
    assertTrue(a.denyMethods().isEmpty());
    assertNull(a.requestTimeout());
    assertTrue(a.headers().isEmpty());
    assertEquals(256, a.maxConcurrency());
    assertEquals(2, eth.providers().get(1).priority());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      250ms | PT0.25S
      2s    | PT2S
      1.5s  | PT1.5S
      1m    | PT1M
      1h    | PT1H
      0.5ms | PT0.0005S
      """)
  void readsDurationNotation(String text, String expected) throws Exception {
    ChainsConfig config = parse(MINIMAL.replace("    chain_id: 1\n", "    chain_id: 1\n    block_time: " + text + "\n"));

    assertEquals(Duration.parse(expected), config.chains().get("ethereum").blockTime());
  }

  @Test
  void treatsAnEmptyOptionalValueAsAbsent() throws Exception {
    ChainsConfig config = parse("""
        chains:
          ethereum:
            chain_id: 1
            strategy:
            providers:
              - id: eth-a
                http_url: https://eth-a.example
                ws_url: ~
        """);

    assertEquals("latency-weighted", config.chains().get("ethereum").defaultStrategy());
    assertNull(config.chains().get("ethereum").providers().get(0).wsUrl());
  }

  // ---- environment substitution ---------------------------------------------------------------

  @Test
  void substitutesEnvironmentVariablesWithAndWithoutDefaults() throws Exception {
    ChainsConfig config = ChainsConfigLoader.parse(FILE, """
        chains:
          ethereum:
            chain_id: ${CHAIN_ID}
            block_time: ${BLOCK_TIME:-6s}
            providers:
              - id: eth-a
                http_url: https://${HOST}/v3/${API_KEY}
                ws_url: ${WS_URL:-}
                archival: "${ARCHIVAL:-false}"
                headers:
                  Authorization: "Bearer ${TOKEN}"
                  X-Region: ${REGION:-eu-west}
                  X-Empty: "[${EMPTY}]"
        """, Map.of(
            "CHAIN_ID", "1",
            "HOST", "rpc.example",
            "API_KEY", "k3y",
            "ARCHIVAL", "true",
            "TOKEN", "t0k",
            "REGION", "",
            "EMPTY", ""));

    ChainConfig eth = config.chains().get("ethereum");
    assertEquals(1, eth.chainId(), "a number from the environment is typed like a plain YAML scalar");
    assertEquals(Duration.ofSeconds(6), eth.blockTime(), "unset variable falls back to its default");
    ProviderConfig a = eth.providers().get(0);
    assertEquals(URI.create("https://rpc.example/v3/k3y"), a.httpUrl());
    assertNull(a.wsUrl(), "an optional value that substitutes to nothing is absent");
    assertTrue(a.archival());
    assertEquals("Bearer t0k", a.headers().get("Authorization"));
    assertEquals("eu-west", a.headers().get("X-Region"), "empty variable falls back to its default");
    assertEquals("[]", a.headers().get("X-Empty"), "a set but empty variable without default is empty");
  }

  @Test
  void reportsUnsetVariableWithoutDefaultAtTheLineOfTheScalar() {
    List<ConfigError> errors = errors("""
        chains:
          ethereum:
            chain_id: 1
            providers:
              - id: eth-a
                http_url: https://eth-a.example/${API_KEY}
                headers: {Authorization: "Bearer ${TOKEN}"}
        """);

    assertEquals(2, errors.size(), errors::toString);
    assertError(errors.get(0), 6, "chains.ethereum.providers[0].http_url", "API_KEY");
    assertError(errors.get(1), 7, "chains.ethereum.providers[0].headers.Authorization", "TOKEN");
    assertTrue(errors.get(0).message().contains("not set"), errors.get(0).message());
  }

  @Test
  void reportsMalformedVariableReference() {
    List<ConfigError> errors = errors(MINIMAL.replace("https://eth-a.example", "https://eth-a.example/literal-key/${API_KEY"));

    assertEquals(1, errors.size(), errors::toString);
    assertError(errors.get(0), 6, "chains.ethereum.providers[0].http_url",
        "malformed variable reference in \"${API_KEY\"");
  }

  @Test
  void quotesUrlsWithoutTheirPathSoSecretsStayOutOfErrors() {
    ConfigException e = assertThrows(ConfigException.class, () -> ChainsConfigLoader.parse(FILE,
        MINIMAL.replace("https://eth-a.example", "ftp://eth-a.example/${API_KEY}/literal-key"),
        Map.of("API_KEY", "s3cr3t")));

    assertEquals(1, e.errors().size(), e::getMessage);
    assertTrue(e.getMessage().contains("\"ftp://eth-a.example/<redacted>\""), e.getMessage());
    assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
    assertFalse(e.getMessage().contains("literal-key"), e.getMessage());
  }

  @Test
  void rejectsHeaderValueWithLineBreakFromTheEnvironment() {
    List<ConfigError> errors = errors(MINIMAL.replace("https://eth-b.example",
        "https://eth-b.example\n        headers: {X-Key: \"${KEY}\"}"), Map.of("KEY", "a\r\nX-Evil: 1"));

    assertEquals(1, errors.size(), errors::toString);
    assertError(errors.get(0), 9, "chains.ethereum.providers[1].headers.X-Key", "line breaks");
  }

  // ---- value errors ---------------------------------------------------------------------------

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      0                    | must be at least 1, got 0
      -5                   | must be at least 1, got -5
      abc                  | expected an integer, got "abc"
      '"1"'                | expected an integer, got "1"
      1.0                  | expected an integer, got "1.0"
      012                  | expected an integer, got "012"
      99999999999999999999 | is too large
      [1]                  | expected an integer, got a list
      {a: 1}               | expected an integer, got a mapping
      """)
  void rejectsBadChainId(String value, String message) {
    List<ConfigError> errors = errors(MINIMAL.replace("chain_id: 1", "chain_id: " + value));

    assertEquals(1, errors.size(), errors::toString);
    assertError(errors.get(0), 3, "chains.ethereum.chain_id", message);
  }

  /** Each line is added to the chain after chain_id (line 4) or to the first provider after http_url (line 7). */
  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      block_time: fast            | block_time                      | expected a duration like 500ms or 2s, got "fast"
      block_time: 12              | block_time                      | expected a duration like 500ms or 2s, got "12"
      block_time: -1s             | block_time                      | expected a duration like 500ms or 2s, got "-1s"
      block_time: 1.5ns           | block_time                      | expected a duration like 500ms or 2s, got "1.5ns"
      block_time: 0s              | block_time                      | must be greater than zero
      max_lag_blocks: -1          | max_lag_blocks                  | must be at least 0, got -1
      max_lag_blocks: three       | max_lag_blocks                  | expected an integer, got "three"
      max_lag_blocks: 3000000000  | max_lag_blocks                  | must be at most 2147483647
      strategy: fastes            | strategy                        | unknown strategy "fastes"; known strategies: fastest, load-balanced, round-robin, latency-weighted, priority
      strategy: [fastest]         | strategy                        | expected a strategy name, got a list
      archive_depth: -1           | archive_depth                   | must be at least 0
      archive_depth: [1]          | archive_depth                   | expected an integer, got a list
      head_quorum: -1             | head_quorum                     | must be at least 0, got -1
      head_quorum: 3              | head_quorum                     | a quorum of 3 cannot be reached by 2 providers
      max_ahead_blocks: 0         | max_ahead_blocks                | must be at least 1, got 0
      finality_interval: 0s       | finality_interval               | must be greater than zero
      ws_url: https://a.example   | providers[0].ws_url             | expected an absolute ws or wss URL with a host, got "https://a.example"
      priority: high              | providers[0].priority           | expected an integer, got "high"
      weight: 0                   | providers[0].weight             | must be at least 1, got 0
      weight: "2"                 | providers[0].weight             | expected an integer, got "2"
      archival: maybe             | providers[0].archival           | expected true or false, got "maybe"
      archival: 1                 | providers[0].archival           | expected true or false, got "1"
      allow_methods: eth_call     | providers[0].allow_methods      | expected a list of strings, got "eth_call"
      deny_methods: [[a]]         | providers[0].deny_methods[0]    | expected a string, got a list
      deny_methods: [eth_call, ~] | providers[0].deny_methods[1]    | must not be empty
      request_timeout: soon       | providers[0].request_timeout    | expected a duration like 500ms or 2s, got "soon"
      request_timeout: 0ms        | providers[0].request_timeout    | must be greater than zero
      headers: [a]                | providers[0].headers            | expected a mapping of header names to values, got a list
      headers: {Bad Header: x}    | providers[0].headers.Bad Header | not a valid HTTP header name
      headers: {X-Key: }          | providers[0].headers.X-Key      | header value must not be empty
      headers: {X-Key: {a: b}}    | providers[0].headers.X-Key      | expected a string, got a mapping
      max_concurrency: 0          | providers[0].max_concurrency    | must be at least 1, got 0
      """)
  void reportsBadValueWithLineAndPath(String line, String field, String message) {
    boolean providerField = field.startsWith("providers");
    String yaml = providerField
        ? MINIMAL.replace("https://eth-a.example\n", "https://eth-a.example\n        " + line + "\n")
        : MINIMAL.replace("    chain_id: 1\n", "    chain_id: 1\n    " + line + "\n");

    List<ConfigError> errors = errors(yaml);

    assertEquals(1, errors.size(), errors::toString);
    assertError(errors.get(0), providerField ? 7 : 4, "chains.ethereum." + field, message);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      ftp://eth-a.example       | expected an absolute http or https URL with a host, got "ftp://eth-a.example"
      wss://eth-a.example       | expected an absolute http or https URL with a host, got "wss://eth-a.example"
      eth-a.example:8545        | got "eth-a.example:8545"
      /relative/path            | got "/<redacted>"
      https:///no-host          | got "https:///<redacted>"
      htps://a.example/v3/KEY   | got "htps://a.example/<redacted>"
      'https://'                | Expected authority
      not a url                 | Illegal character
      [https://eth-a.example]   | expected a URL, got a list
      """)
  void rejectsBadHttpUrl(String value, String message) {
    List<ConfigError> errors = errors(MINIMAL.replace("http_url: https://eth-a.example", "http_url: " + value));

    assertEquals(1, errors.size(), errors::toString);
    assertError(errors.get(0), 6, "chains.ethereum.providers[0].http_url", message);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      Ethereum   | 2 | chains.Ethereum | chain name "Ethereum" must be lowercase
      -ethereum  | 2 | chains.-ethereum | chain name "-ethereum" must be lowercase
      eth_main   | 2 | chains.eth_main | chain name "eth_main" must be lowercase
      """)
  void rejectsBadChainName(String name, int line, String field, String message) {
    List<ConfigError> errors = errors(MINIMAL.replace("  ethereum:", "  " + name + ":"));

    assertEquals(1, errors.size(), errors::toString);
    assertError(errors.get(0), line, field, message);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      -eth-a     | provider id "-eth-a" must be letters, digits
      'eth a'    | provider id "eth a" must be letters, digits
      eth/a      | provider id "eth/a" must be letters, digits
      [eth-a]    | expected a provider id, got a list
      """)
  void rejectsBadProviderId(String id, String message) {
    List<ConfigError> errors = errors(MINIMAL.replace("id: eth-a", "id: " + id));

    assertEquals(1, errors.size(), errors::toString);
    assertError(errors.get(0), 5, "chains.ethereum.providers[0].id", message);
  }

  // ---- structure errors -----------------------------------------------------------------------

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      ''                    | 0 | chains     | required
      '# only a comment'    | 0 | chains     | required
      'profiles: {}'        | 0 | chains     | required
      'chains: {}'          | 1 | chains     | must declare at least one chain
      'chains:'             | 1 | chains     | required, but the value is empty
      'chains: [ethereum]'  | 1 | chains     | expected a mapping of chain names to chains, got a list
      '- ethereum'          | 1 | (document) | expected a mapping with a "chains" key, got a list
      'just text'           | 1 | (document) | expected a mapping with a "chains" key, got "just text"
      """)
  void reportsMissingOrEmptyChains(String yaml, int line, String field, String message) {
    List<ConfigError> errors = errors(yaml);

    assertEquals(1, errors.size(), errors::toString);
    assertError(errors.get(0), line, field, message);
  }

  @Test
  void reportsMissingRequiredFieldsWhereTheirOwnerStarts() {
    List<ConfigError> errors = errors("""
        chains:
          ethereum:
            block_time: 12s
          polygon:
            chain_id: 137
            providers:
              - weight: 2
              - id: polygon-b
          base:
            chain_id: 8453
            providers: []
          gnosis:
            chain_id: 100
            providers: {id: gno-a}
          optimism:
        """);

    assertEquals(List.of(
        "2 chains.ethereum.chain_id required",
        "2 chains.ethereum.providers required",
        "7 chains.polygon.providers[0].id required",
        "7 chains.polygon.providers[0].http_url required",
        "8 chains.polygon.providers[1].http_url required",
        "11 chains.base.providers must list at least one provider",
        "14 chains.gnosis.providers expected a list of providers, got a mapping",
        "15 chains.optimism expected a chain with chain_id and providers, got nothing"),
        summaries(errors));
  }

  @Test
  void reportsUnknownKeysAtEveryLevelWithASuggestion() {
    List<ConfigError> errors = errors("""
        chains:
          ethereum:
            chain_id: 1
            blocktime: 12s
            providers:
              - id: eth-a
                htp_url: https://eth-a.example
                timeout: 3s
        profile:
          archive: {}
        profiles:
          archive:
            chain: [ethereum]
        """);

    assertEquals(List.of(
        "4 chains.ethereum.blocktime unknown key \"blocktime\"; known keys: chain_id, block_time, max_lag_blocks,"
            + " strategy, archive_depth, head_quorum, max_ahead_blocks, finality_interval, providers; did you mean \"block_time\"?",
        "6 chains.ethereum.providers[0].http_url required",
        "7 chains.ethereum.providers[0].htp_url unknown key \"htp_url\"; known keys: id, http_url, ws_url, priority,"
            + " weight, archival, allow_methods, deny_methods, request_timeout, headers, max_concurrency;"
            + " did you mean \"http_url\"?",
        "8 chains.ethereum.providers[0].timeout unknown key \"timeout\"; known keys: id, http_url, ws_url, priority,"
            + " weight, archival, allow_methods, deny_methods, request_timeout, headers, max_concurrency",
        "9 profile unknown key \"profile\"; known keys: chains, profiles; did you mean \"profiles\"?",
        "13 profiles.archive.chain unknown key \"chain\"; known keys: chains, providers; did you mean \"chains\"?"),
        summaries(errors));
  }

  @Test
  void reportsDuplicateKeysAtTheSecondOccurrence() {
    List<ConfigError> errors = errors("""
        chains:
          ethereum:
            chain_id: 1
            providers:
              - id: eth-a
                http_url: https://eth-a.example
                http_url: https://eth-a2.example
          ethereum:
            chain_id: 2
        """);

    assertEquals(List.of(
        "7 chains.ethereum.providers[0].http_url duplicate key \"http_url\" (first at line 6)",
        "8 chains.ethereum duplicate key \"ethereum\" (first at line 2)"),
        summaries(errors));
  }

  @Test
  void rejectsTheSameChainIdOnTwoChains() {
    List<ConfigError> errors = errors("""
        chains:
          ethereum:
            chain_id: 1
            providers: [{id: eth-a, http_url: "https://a.example"}]
          mainnet-copy:
            chain_id: 1
            providers: [{id: eth-b, http_url: "https://b.example"}]
          polygon:
            chain_id: 137
            providers: [{id: pol-a, http_url: "https://c.example"}]
        """);

    assertEquals(List.of("6 chains.mainnet-copy.chain_id chain id 1 is already used by chain \"ethereum\""),
        summaries(errors));
  }

  @Test
  void rejectsTheSameProviderIdAnywhereInTheFile() {
    List<ConfigError> errors = errors("""
        chains:
          ethereum:
            chain_id: 1
            providers:
              - id: shared
                http_url: https://a.example
              - id: shared
                http_url: https://b.example
          polygon:
            chain_id: 137
            providers:
              - id: shared
                http_url: https://c.example
        """);

    assertEquals(List.of(
        "7 chains.ethereum.providers[1].id provider id \"shared\" is already used by chains.ethereum.providers[0];"
            + " ids must be unique across the file",
        "12 chains.polygon.providers[0].id provider id \"shared\" is already used by chains.ethereum.providers[0];"
            + " ids must be unique across the file"),
        summaries(errors));
  }

  @Test
  void rejectsProfilesThatNameUndeclaredChainsOrProviders() {
    List<ConfigError> errors = errors("""
        profiles:
          archive:
            chains:
              - ethereum
              - etherium
            providers: [eth-a, eth-z]
          Bad/Name: {}
          plain: [ethereum]
        chains:
          ethereum:
            chain_id: 1
            providers:
              - id: eth-a
                http_url: https://eth-a.example
        """);

    assertEquals(List.of(
        "5 profiles.archive.chains[1] unknown chain \"etherium\"; declared chains: ethereum",
        "6 profiles.archive.providers[1] unknown provider \"eth-z\"; declared providers: eth-a",
        "7 profiles.Bad/Name profile name \"Bad/Name\" must be letters, digits, '_', '.' and '-',"
            + " starting with a letter or digit",
        "8 profiles.plain expected a mapping with chains and/or providers, got a list"),
        summaries(errors));
  }

  @Test
  void profileMayNameAChainOrProviderThatHasErrorsOfItsOwnWithoutASecondError() {
    List<ConfigError> errors = errors("""
        chains:
          ethereum:
            chain_id: zero
            providers:
              - id: eth-a
                http_url: nope
        profiles:
          archive: {chains: [ethereum], providers: [eth-a]}
        """);

    assertEquals(List.of("3 chains.ethereum.chain_id", "6 chains.ethereum.providers[0].http_url"),
        errors.stream().map(e -> e.line() + " " + e.field()).toList());
  }

  @Test
  void reportsSeveralErrorsAtOnceInLineOrder() {
    ConfigException e = assertThrows(ConfigException.class, () -> ChainsConfigLoader.parse(FILE, """
        profiles:
          archive: {chains: [solana]}
        chains:
          ethereum:
            chain_id: -1
            block_time: fast
            strategy: random
            providers:
              - id: eth-a
                http_url: https://eth-a.example/${MISSING}
                weight: 0
              - id: eth-a
                http_url: https://eth-b.example
        """, Map.of()));

    assertEquals(List.of(
        "2 profiles.archive.chains[0]",
        "5 chains.ethereum.chain_id",
        "6 chains.ethereum.block_time",
        "7 chains.ethereum.strategy",
        "10 chains.ethereum.providers[0].http_url",
        "11 chains.ethereum.providers[0].weight",
        "12 chains.ethereum.providers[1].id"),
        e.errors().stream().map(err -> err.line() + " " + err.field()).toList());
    assertTrue(e.errors().stream().allMatch(err -> err.file().equals(FILE)));
  }

  @Test
  void exceptionMessageListsEveryErrorAsFileLineFieldMessage() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ChainsConfigLoader.parse("deploy/chains.yml", MINIMAL.replace("chain_id: 1", "chain_id: x")
            .replace("id: eth-b", "id: eth-a"), Map.of()));

    assertEquals("""
        deploy/chains.yml:3: chains.ethereum.chain_id: expected an integer, got "x"
        deploy/chains.yml:7: chains.ethereum.providers[1].id: provider id "eth-a" is already used by \
        chains.ethereum.providers[0]; ids must be unique across the file""", e.getMessage());
  }

  // ---- malformed YAML -------------------------------------------------------------------------

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      'chains:\\n  ethereum:\\n    chain_id: 1\\n   providers: []\\n'      | 4 | expected <block end>
      'chains:\\n  ethereum:\\n    providers: [a, b\\n'                     | 4 | but got <stream end>
      'chains:\\n  ethereum:\\n\\tchain_id: 1\\n'                           | 3 | TAB
      'chains: {}\\n---\\nchains: {}\\n'                                    | 2 | expected a single document
      'chains:\\n  ethereum: *missing\\n'                                   | 2 | found undefined alias missing
      """)
  void reportsMalformedYamlAsOneErrorAtTheParsersLine(String escaped, int line, String message) {
    String yaml = escaped.replace("\\n", "\n").replace("\\t", "\t");

    List<ConfigError> errors = errors(yaml);

    assertEquals(1, errors.size(), errors::toString);
    assertError(errors.get(0), line, "(document)", message);
    assertTrue(errors.get(0).message().startsWith("malformed YAML: "), errors.get(0).message());
  }

  // ---- files ----------------------------------------------------------------------------------

  @Test
  void loadsARealFileAndNamesItInErrors(@TempDir Path dir) throws Exception {
    Path good = dir.resolve("chains.yml");
    Files.writeString(good, MINIMAL.replace("https://eth-a.example", "https://${HOST}")
        .replace("https://eth-b.example", "https://eth-b.example\n        headers: {X-Note: café}"), StandardCharsets.UTF_8);

    ChainsConfig config = ChainsConfigLoader.load(good, Map.of("HOST", "rpc.example"));

    assertEquals(good.toString(), config.source());
    ChainConfig eth = config.chains().get("ethereum");
    assertEquals("rpc.example", eth.providers().get(0).httpUrl().getHost());
    assertEquals("café", eth.providers().get(1).headers().get("X-Note"), "read as UTF-8");

    Path bad = dir.resolve("bad.yml");
    Files.writeString(bad, MINIMAL.replace("chain_id: 1", "chain_id: one"), StandardCharsets.UTF_8);
    ConfigException e = assertThrows(ConfigException.class, () -> ChainsConfigLoader.load(bad, Map.of()));
    assertEquals(List.of(new ConfigError(bad.toString(), 3, "chains.ethereum.chain_id",
        "expected an integer, got \"one\"")), e.errors());
  }

  @Test
  void loadOfAMissingFileThrowsIoException(@TempDir Path dir) {
    assertThrows(NoSuchFileException.class, () -> ChainsConfigLoader.load(dir.resolve("absent.yml"), Map.of()));
  }

  // ---- helpers --------------------------------------------------------------------------------

  private static ChainsConfig parse(String yaml) throws ConfigException {
    return ChainsConfigLoader.parse(FILE, yaml, Map.of());
  }

  private static List<ConfigError> errors(String yaml) {
    return errors(yaml, Map.of());
  }

  private static List<ConfigError> errors(String yaml, Map<String, String> env) {
    return assertThrows(ConfigException.class, () -> ChainsConfigLoader.parse(FILE, yaml, env)).errors();
  }

  private static List<String> summaries(List<ConfigError> errors) {
    return errors.stream().map(e -> e.line() + " " + e.field() + " " + e.message()).toList();
  }

  private static void assertError(ConfigError error, int line, String field, String messagePart) {
    assertEquals(FILE, error.file(), error::toString);
    assertEquals(line, error.line(), error::toString);
    assertEquals(field, error.field(), error::toString);
    assertTrue(error.message().contains(messagePart), () -> "expected \"" + messagePart + "\" in " + error);
  }
}
