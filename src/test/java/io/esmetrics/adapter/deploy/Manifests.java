package io.esmetrics.adapter.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.esmetrics.adapter.rules.ClusterHealthRule;
import io.esmetrics.adapter.rules.MetricDefinitionsParser;
import io.esmetrics.adapter.rules.MetricRule;
import io.esmetrics.adapter.testsupport.KubernetesBinaries;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The deployment files as a user gets them: the manifests under k8s/, {@code apiservice.yaml}, and what
 * {@code kubectl kustomize k8s/} makes of them (the real kubectl of {@link KubernetesBinaries}, run once per test run).
 */
final class Manifests {

    static final Path K8S = Path.of("k8s");
    static final Path API_SERVICE = Path.of("apiservice.yaml");

    private static final KubernetesSerialization KUBERNETES = new KubernetesSerialization();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static List<HasMetadata> stack;

    private Manifests() {
    }

    /** Where a kustomization lists a file: as a resource, a patch, or the source of a generated ConfigMap. */
    enum Use { RESOURCE, PATCH, GENERATOR_SOURCE }

    record ListedFile(Path path, Use use) {
    }

    static List<Path> kustomizations() {
        try (Stream<Path> files = Files.walk(K8S)) {
            return files.filter(file -> file.getFileName().toString().equals("kustomization.yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every file some kustomization under k8s/ refers to (directories, being kustomizations, excluded). */
    static List<ListedFile> listedFiles() {
        List<ListedFile> listed = new ArrayList<>();
        for (Path kustomization : kustomizations()) {
            JsonNode document = yaml(kustomization);
            Path dir = kustomization.getParent();
            document.path("resources").forEach(entry -> {
                Path resource = dir.resolve(entry.asText()).normalize();
                if (Files.isRegularFile(resource)) {
                    listed.add(new ListedFile(resource, Use.RESOURCE));
                }
            });
            // Inline patches (patch: instead of path:) are no file of their own.
            document.path("patches").forEach(entry -> {
                if (entry.has("path")) {
                    listed.add(new ListedFile(dir.resolve(entry.path("path").asText()).normalize(), Use.PATCH));
                }
            });
            document.path("configMapGenerator").forEach(generator -> generator.path("files").forEach(entry -> {
                String file = entry.asText();
                listed.add(new ListedFile(dir.resolve(file.substring(file.indexOf('=') + 1)).normalize(), Use.GENERATOR_SOURCE));
            }));
        }
        return listed;
    }

    /** The files holding Kubernetes objects: resources and patches. */
    static List<Path> manifestFiles() {
        return listedFiles().stream().filter(file -> file.use() != Use.GENERATOR_SOURCE).map(ListedFile::path).toList();
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode yaml(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode yaml(String text) {
        try {
            return YAML.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The YAML documents of a file, comments-only documents left out. */
    /** {@code node} as YAML, e.g. an edited kustomization to write back. */
    static String toYaml(JsonNode node) {
        try {
            return YAML.writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> documents(String yaml) {
        return Arrays.stream(yaml.split("(?m)^---\\s*$"))
                .filter(document -> document.lines().anyMatch(line -> !line.isBlank() && !line.stripLeading().startsWith("#")))
                .toList();
    }

    static HasMetadata parse(String yaml) {
        return KUBERNETES.unmarshal(yaml);
    }

    static HasMetadata parse(Path file) {
        return parse(read(file));
    }

    /** The objects {@code kubectl apply -k k8s/} applies. */
    static synchronized List<HasMetadata> stack() {
        if (stack == null) {
            stack = documents(kustomize(K8S)).stream().map(Manifests::parse).toList();
        }
        return stack;
    }

    static <T extends HasMetadata> List<T> all(Class<T> kind) {
        return stack().stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    static <T extends HasMetadata> Optional<T> find(Class<T> kind, String namespace, String name) {
        return all(kind).stream()
                .filter(object -> name.equals(object.getMetadata().getName()))
                .filter(object -> namespace == null || namespace.equals(object.getMetadata().getNamespace()))
                .findFirst();
    }

    static <T extends HasMetadata> T get(Class<T> kind, String namespace, String name) {
        return find(kind, namespace, name).orElseThrow(() -> new AssertionError(
                "kubectl kustomize k8s/ has no " + kind.getSimpleName() + " " + namespace + "/" + name));
    }

    /** The metrics the deployed adapter serves: its built-ins, then the ConfigMap, as MetricRules loads them. */
    static Map<String, MetricRule> servedMetrics() {
        Map<String, MetricRule> served = new TreeMap<>();
        MetricDefinitionsParser.parse("built-in", builtins()).forEach(rule -> served.put(rule.name(), rule));
        served.put(ClusterHealthRule.NAME, ClusterHealthRule.RULE); // built in, read from the cluster's health (MetricRules)
        ConfigMap definitions = get(ConfigMap.class, "es-metrics-adapter", "es-metrics-adapter-metrics");
        MetricDefinitionsParser.parse("ConfigMap es-metrics-adapter-metrics", definitions.getData().get("metrics.yaml"))
                .forEach(rule -> served.put(rule.name(), rule));
        return served;
    }

    /** The served metrics that read events: all but the cluster's health, which reads no index. */
    static List<MetricRule> servedEventMetrics() {
        return servedMetrics().values().stream().filter(rule -> !ClusterHealthRule.is(rule)).toList();
    }

    /** The named container of a pod, which the manifests must have. */
    static Container container(PodSpec pod, String name) {
        return pod.getContainers().stream().filter(container -> container.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no container " + name));
    }

    /** The names of a JSON object's fields, in order. */
    static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String builtins() {
        try (InputStream in = Manifests.class.getClassLoader().getResourceAsStream("builtin-metrics.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What {@code kubectl kustomize} makes of k8s/ with an optional component enabled, as a user enables it in
     * k8s/kustomization.yaml (kustomize loads directories, not files, from outside a kustomization's root: an overlay
     * in {@code workDir} names k8s/ and the component by relative paths).
     */
    static List<HasMetadata> stackWith(Path workDir, String component) {
        return documents(kustomizeWith(workDir, component)).stream().map(Manifests::parse).toList();
    }

    /** The text of {@link #stackWith}: what {@code kubectl kustomize} prints for k8s/ with {@code component} enabled. */
    static String kustomizeWith(Path workDir, String component) {
        try {
            Path overlay = Files.createDirectories(workDir.resolve("with-" + component.replace('/', '-')));
            Path k8s = overlay.toAbsolutePath().relativize(K8S.toAbsolutePath());
            Files.writeString(overlay.resolve("kustomization.yaml"), """
                    resources:
                    - %s
                    components:
                    - %s
                    """.formatted(k8s, k8s.resolve("components").resolve(component)));
            return kustomize(overlay);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code kubectl kustomize dir}; fails with kubectl's own message. */
    static String kustomize(Path dir) {
        try {
            Path errors = Files.createTempFile("kustomize", ".err");
            try {
                Process kubectl = new ProcessBuilder(KubernetesBinaries.kubectl().toString(), "kustomize", dir.toString())
                        .redirectError(errors.toFile())
                        .start();
                String out = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!kubectl.waitFor(60, TimeUnit.SECONDS) || kubectl.exitValue() != 0) {
                    throw new AssertionError("kubectl kustomize " + dir + " failed: " + Files.readString(errors));
                }
                return out;
            } finally {
                Files.deleteIfExists(errors);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
