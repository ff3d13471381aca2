package io.riata.http.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.riata.core.config.ChainsConfig;
import io.riata.core.config.ChainsConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The Kubernetes manifests and the Dockerfile cannot run here (no cluster, no container runtime),
 * so this checks what can be checked offline: that the documents parse and agree with each other
 * and with Riata (labels and selectors, named ports, the bootstrap settings, a majority kept by
 * the disruption budget, a chains.yml that loads).
 */
class DeployManifestsTest {

  private static final Path DEPLOY = Path.of("..", "deploy");
  private static final Map<String, Map<String, Object>> BY_KIND = new HashMap<>();

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void load() throws IOException {
    try (var files = Files.list(DEPLOY.resolve("kubernetes"))) {
      for (Path file : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        for (Object doc : new Yaml().loadAll(Files.readString(file))) {
          Map<String, Object> m = (Map<String, Object>) doc;
          BY_KIND.put((String) m.get("kind"), m);
        }
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> T at(Object node, String... path) {
    Object current = node;
    for (String key : path) {
      current = current instanceof Map<?, ?> map ? map.get(key) : ((List<Object>) current).get(Integer.parseInt(key));
      assertNotNull(current, "missing " + String.join(".", path));
    }
    return (T) current;
  }

  private static Map<String, Object> container() {
    return at(BY_KIND.get("Deployment"), "spec", "template", "spec", "containers", "0");
  }

  private static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    List<Map<String, Object>> list = at(container(), "env");
    for (Map<String, Object> e : list) {
      env.put((String) e.get("name"), e.get("value") == null ? "(from field)" : e.get("value").toString());
    }
    return env;
  }

  private static Set<String> portNames() {
    List<Map<String, Object>> ports = at(container(), "ports");
    return ports.stream().map(p -> (String) p.get("name")).collect(Collectors.toSet());
  }

  @Test
  void everyKindIsThere() {
    for (String kind : List.of("ServiceAccount", "Role", "RoleBinding", "Deployment", "Service",
        "PodDisruptionBudget", "ConfigMap")) {
      assertTrue(BY_KIND.containsKey(kind), "no " + kind);
    }
  }

  @Test
  void selectorsMatchThePodLabels() {
    Map<String, Object> labels = at(BY_KIND.get("Deployment"), "spec", "template", "metadata", "labels");
    assertEquals(labels, (Map<String, Object>) at(BY_KIND.get("Deployment"), "spec", "selector", "matchLabels"));
    Map<String, Object> service = at(BY_KIND.get("Service"), "spec", "selector");
    assertTrue(labels.entrySet().containsAll(service.entrySet()), "service selects other pods");
    Map<String, Object> budget = at(BY_KIND.get("PodDisruptionBudget"), "spec", "selector", "matchLabels");
    assertTrue(labels.entrySet().containsAll(budget.entrySet()), "budget selects other pods");
  }

  @Test
  void bootstrapFindsThesePods() {
    Map<String, String> env = env();
    assertEquals("kubernetes", env.get("RIATA_BOOTSTRAP"));
    Map<String, Object> labels = at(BY_KIND.get("Deployment"), "spec", "template", "metadata", "labels");
    // riata-pekko.conf: pod-label-selector = "app=%s", %s being the service name
    assertEquals(labels.get("app"), env.get("RIATA_SERVICE_NAME"));
    int replicas = at(BY_KIND.get("Deployment"), "spec", "replicas");
    int contacts = Integer.parseInt(env.get("RIATA_REQUIRED_CONTACT_POINTS"));
    assertTrue(contacts <= replicas, "bootstrap would wait for more pods than there are");
    assertTrue(env.containsKey("RIATA_CLUSTER_HOST") && env.containsKey("RIATA_MANAGEMENT_HOST"));
    String account = at(BY_KIND.get("Deployment"), "spec", "template", "spec", "serviceAccountName");
    assertEquals(account, (String) at(BY_KIND.get("ServiceAccount"), "metadata", "name"));
    assertEquals(account, (String) at(BY_KIND.get("RoleBinding"), "subjects", "0", "name"));
    assertEquals((String) at(BY_KIND.get("Role"), "metadata", "name"), (String) at(BY_KIND.get("RoleBinding"), "roleRef", "name"));
    List<String> verbs = at(BY_KIND.get("Role"), "rules", "0", "verbs");
    assertTrue(verbs.contains("list"), "bootstrap lists pods");
  }

  @Test
  void probesAndServiceUseNamedContainerPorts() {
    Set<String> names = portNames();
    assertTrue(names.containsAll(Set.of("rpc", "remoting", "management")), names.toString());
    assertEquals("/ready", (String) at(container(), "readinessProbe", "httpGet", "path"));
    assertEquals("/health", (String) at(container(), "livenessProbe", "httpGet", "path"));
    assertTrue(names.contains((String) at(container(), "readinessProbe", "httpGet", "port")));
    assertTrue(names.contains((String) at(container(), "livenessProbe", "httpGet", "port")));
    assertTrue(names.contains((String) at(BY_KIND.get("Service"), "spec", "ports", "0", "targetPort")));
  }

  @Test
  void prometheusScrapesMetricsOnTheOperatorPortWhichRpcClientsNeverSee() {
    Map<String, Object> annotations = at(BY_KIND.get("Deployment"), "spec", "template", "metadata", "annotations");
    assertEquals("true", annotations.get("prometheus.io/scrape"));
    assertEquals("/metrics", annotations.get("prometheus.io/path"));
    List<Map<String, Object>> ports = at(container(), "ports");
    Map<String, Object> operator = ports.stream().filter(p -> "operator".equals(p.get("name"))).findFirst()
        .orElseThrow(() -> new AssertionError("no container port named operator"));
    assertEquals(8580, operator.get("containerPort"), "riata.http.admin.port's default");
    assertEquals(operator.get("containerPort").toString(), annotations.get("prometheus.io/port"));
    List<Map<String, Object>> servicePorts = at(BY_KIND.get("Service"), "spec", "ports");
    for (Map<String, Object> p : servicePorts) {
      assertTrue(!"operator".equals(p.get("targetPort")) && !Integer.valueOf(8580).equals(p.get("targetPort")),
          "the Service shows the operator port to RPC clients: " + p);
    }
    assertTrue(!"operator".equals(at(container(), "readinessProbe", "httpGet", "port"))
        && !"operator".equals(at(container(), "livenessProbe", "httpGet", "port")), "probes stay on the RPC port");
  }

  @Test
  void theOperatorPortBindsThePodIpOnlyWithATokenFromASecret() {
    List<Map<String, Object>> list = at(container(), "env");
    Map<String, Map<String, Object>> byName = new HashMap<>();
    list.forEach(e -> byName.put((String) e.get("name"), e));
    assertEquals("status.podIP", at(byName.get("RIATA_ADMIN_HOST"), "valueFrom", "fieldRef", "fieldPath"));
    // Without a token Riata binds the operator port to 127.0.0.1 whatever the host: Prometheus in
    // another pod could not scrape it.
    Map<String, Object> secret = at(byName.get("RIATA_ADMIN_TOKEN"), "valueFrom", "secretKeyRef");
    assertNotNull(secret.get("name"));
    assertNotNull(secret.get("key"));
  }

  @Test
  void theBudgetKeepsAMajorityForKeepMajority() {
    int replicas = at(BY_KIND.get("Deployment"), "spec", "replicas");
    int minAvailable = at(BY_KIND.get("PodDisruptionBudget"), "spec", "minAvailable");
    assertTrue(minAvailable > replicas / 2, "a voluntary eviction could leave a minority");
    assertEquals(0, (int) at(BY_KIND.get("Deployment"), "spec", "strategy", "rollingUpdate", "maxUnavailable"));
  }

  @Test
  void theConfigMapHoldsAChainsFileThatLoads() throws Exception {
    String yaml = at(BY_KIND.get("ConfigMap"), "data", "chains.yml");
    ChainsConfig config = ChainsConfigLoader.parse("configmap chains.yml", yaml,
        Map.of("ALCHEMY_KEY", "k", "INFURA_KEY", "k"));
    assertTrue(config.chain("ethereum").isPresent());
    List<Map<String, Object>> mounts = at(container(), "volumeMounts");
    List<String> args = at(container(), "args");
    assertTrue(args.get(0).startsWith((String) mounts.get(0).get("mountPath")), "reads the mounted file");
  }

  @Test
  void theDockerfileCopiesTheShadedJarAndExposesThePorts() throws IOException {
    String dockerfile = Files.readString(DEPLOY.resolve("Dockerfile"));
    assertTrue(dockerfile.contains("COPY router-http/target/riata.jar"), "the shade plugin's output");
    List<String> exposed = new ArrayList<>();
    for (String line : dockerfile.lines().toList()) {
      if (line.startsWith("EXPOSE ")) {
        exposed.addAll(List.of(line.substring(7).trim().split("\\s+")));
      }
    }
    List<Map<String, Object>> ports = at(container(), "ports");
    for (Map<String, Object> p : ports) {
      assertTrue(exposed.contains(p.get("containerPort").toString()), "not exposed: " + p);
    }
  }
}
