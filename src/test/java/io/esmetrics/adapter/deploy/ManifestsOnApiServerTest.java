package io.esmetrics.adapter.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.esmetrics.adapter.testsupport.ControlPlane;
import io.esmetrics.adapter.testsupport.Kubectl;
import io.esmetrics.adapter.testsupport.SharedControlPlane;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a real API server (the {@link SharedControlPlane}) says of the manifests a user applies: every object of
 * {@code kubectl kustomize k8s/}, of k8s/ with each optional component, and {@code apiservice.yaml} passes
 * {@code kubectl apply --server-side --dry-run=server} (schemas, defaulting, admission, RBAC escalation checks), and
 * the ElasticsearchMetric definition, the RBAC and the APIService apply for real.
 */
@ExtendWith(SharedControlPlane.class)
class ManifestsOnApiServerTest {

    /**
     * API groups whose definitions come with third-party operators the test's API server does not run: their objects
     * are skipped, every other object of the same component is checked.
     */
    private static final Map<String, String> THIRD_PARTY_GROUPS = Map.of(
            "cert-manager.io", "Certificate and Issuer are cert-manager's CRDs, installed with cert-manager",
            "monitoring.coreos.com", "ServiceMonitor and PrometheusRule are the Prometheus Operator's CRDs, installed with it",
            "telemetry.istio.io", "Telemetry is Istio's CRD, installed with Istio");
    private static final String API_SERVICE = "apiservice/v1beta1.external.metrics.k8s.io";
    private static final String ADAPTER = "system:serviceaccount:es-metrics-adapter:es-metrics-adapter";
    private static final Logger LOG = Logger.getLogger(ManifestsOnApiServerTest.class);

    private static Kubectl kubectl;

    /**
     * A dry run admits namespaced objects only in namespaces that exist, and custom resources only of definitions
     * that exist: the namespaces and the ElasticsearchMetric definition are created for real first.
     */
    @BeforeAll
    static void createTheNamespacesAndTheDefinition(ControlPlane controlPlane, @TempDir Path dir) throws Exception {
        kubectl = controlPlane.kubectl();
        kubectl.run("apply", "--server-side", "-k", Manifests.K8S.resolve("crd").toString()).requireSuccess();
        kubectl.run("wait", "--for=condition=Established", "--timeout=50s",
                "customresourcedefinition/elasticsearchmetrics.esmetrics.io").requireSuccess();
        // The namespaces the manifests create, with their labels (PodSecurity admission reads them), and those they
        // expect to exist (monitoring, the Prometheus Operator's).
        Map<String, String> namespaces = new TreeMap<>();
        for (String component : components().toList()) {
            for (String document : Manifests.documents(render(dir, component))) {
                JsonNode object = Manifests.yaml(document);
                if (object.path("kind").asText().equals("Namespace")) {
                    namespaces.put(object.at("/metadata/name").asText(), document);
                } else if (object.at("/metadata/namespace").isTextual()) {
                    String namespace = object.at("/metadata/namespace").asText();
                    namespaces.putIfAbsent(namespace, "apiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n".formatted(namespace));
                }
            }
        }
        List<String> documents = List.copyOf(namespaces.values());
        kubectl.run("apply", "--server-side", "-f", write(dir, "namespaces", documents).toString()).requireSuccess();
    }

    @AfterAll
    static void removeTheApiService() throws Exception {
        // An APIService with no adapter behind it leaves discovery incomplete, which stalls namespace deletion for
        // every test that shares this control plane.
        kubectl.run("delete", API_SERVICE, "--ignore-not-found").requireSuccess();
    }

    /** k8s/ as it ships, then with each optional component enabled. */
    static Stream<String> components() throws IOException {
        try (Stream<Path> dirs = Files.list(Manifests.K8S.resolve("components"))) {
            List<String> components = dirs.filter(dir -> Files.exists(dir.resolve("kustomization.yaml")))
                    .map(dir -> dir.getFileName().toString()).sorted().toList();
            return Stream.concat(Stream.of(""), components.stream());
        }
    }

    @ParameterizedTest(name = "k8s/ with component [{0}]")
    @MethodSource("components")
    void everyObjectPassesAServerSideDryRun(String component, @TempDir Path dir) throws Exception {
        List<String> checked = new ArrayList<>();
        for (String document : Manifests.documents(render(dir, component))) {
            JsonNode object = Manifests.yaml(document);
            String apiVersion = object.path("apiVersion").asText();
            String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
            if (THIRD_PARTY_GROUPS.containsKey(group)) {
                LOG.infof("not checked on the API server: %s %s, because %s", object.path("kind").asText(),
                        object.at("/metadata/name").asText(), THIRD_PARTY_GROUPS.get(group));
            } else {
                checked.add(document);
            }
        }

        Kubectl.Result result = kubectl.run("apply", "--server-side", "--dry-run=server", "-f",
                write(dir, "checked", checked).toString());

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stderr()).as("warnings of the API server").isEmpty();
        assertThat(result.stdout().lines()).hasSize(checked.size()).allMatch(line -> line.endsWith("(server dry run)"));
    }

    /** The product alone (docs/deploying.md, "Only the adapter, with your own Elasticsearch"). */
    @Test
    void adapterOnlyPassesAServerSideDryRun(@TempDir Path dir) throws Exception {
        List<String> documents = Manifests.documents(Manifests.kustomize(Manifests.K8S.resolve("adapter-only")));

        Kubectl.Result result = kubectl.run("apply", "--server-side", "--dry-run=server", "-f",
                write(dir, "adapter-only", documents).toString());

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stderr()).as("warnings of the API server").isEmpty();
        assertThat(result.stdout().lines()).hasSize(documents.size()).allMatch(line -> line.endsWith("(server dry run)"));
    }

    @Test
    void apiServicePassesAServerSideDryRun() throws Exception {
        Kubectl.Result result = kubectl.run("apply", "--server-side", "--dry-run=server", "-f", Manifests.API_SERVICE.toString());

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stdout()).contains("v1beta1.external.metrics.k8s.io serverside-applied (server dry run)");
    }

    /**
     * The RBAC of k8s/ applied for real: the API server refuses a role that grants what its author may not, or a
     * binding to a role that does not exist only when it is real. The APIService has no adapter behind it here, so
     * the aggregator reports it unavailable (the adapter, reached by the aggregator, is another test's subject).
     */
    @Test
    void definitionRolesAndApiServiceApplyForReal(@TempDir Path dir) throws Exception {
        List<String> roles = Manifests.documents(Manifests.kustomize(Manifests.K8S)).stream()
                .filter(document -> Manifests.yaml(document).path("apiVersion").asText().startsWith("rbac.authorization.k8s.io/"))
                .toList();

        kubectl.run("apply", "--server-side", "-f", write(dir, "roles", roles).toString()).requireSuccess();
        kubectl.run("apply", "--server-side", "-f", Manifests.API_SERVICE.toString()).requireSuccess();

        assertThat(allowed(dir, "system:serviceaccount:kube-system:horizontal-pod-autoscaler",
                "list", "external.metrics.k8s.io", "queue_length", "ai-services")).as("the HPA reads external metrics").isTrue();
        assertThat(allowed(dir, ADAPTER, "create", "authorization.k8s.io", "subjectaccessreviews", null))
                .as("the adapter asks the API server who may read a metric").isTrue();
        assertThat(allowed(dir, ADAPTER, "create", "authentication.k8s.io", "tokenreviews", null))
                .as("the adapter asks the API server whose token it is").isTrue();
        assertThat(allowed(dir, ADAPTER, "get", "", "configmaps/extension-apiserver-authentication", "kube-system"))
                .as("the adapter reads extension-apiserver-authentication").isTrue();
        assertThat(allowed(dir, ADAPTER, "watch", "esmetrics.io", "elasticsearchmetrics", "ai-services"))
                .as("the adapter watches every team's ElasticsearchMetrics").isTrue();
        await("the aggregator's verdict on the APIService").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(kubectl.run("get", API_SERVICE, "-o",
                        "jsonpath={.status.conditions[?(@.type==\"Available\")].status}/"
                                + "{.status.conditions[?(@.type==\"Available\")].reason}").stdout())
                        .isEqualTo("False/ServiceNotFound"));
    }

    /**
     * A SubjectAccessReview ({@code resource} may be {@code <resource>/<name>}), as the adapter itself sends them:
     * {@code kubectl auth can-i} would first look the resource up in discovery, where the external metrics have none
     * while the APIService is unavailable.
     */
    private static boolean allowed(Path dir, String user, String verb, String group, String resource, String namespace)
            throws Exception {
        Path review = Files.writeString(Files.createTempFile(dir, "review", ".yaml"), """
                apiVersion: authorization.k8s.io/v1
                kind: SubjectAccessReview
                spec:
                  user: %s
                  resourceAttributes: {verb: %s, group: '%s', resource: %s, name: '%s', namespace: '%s'}
                """.formatted(user, verb, group, resource.split("/")[0], resource.contains("/") ? resource.split("/")[1] : "",
                namespace == null ? "" : namespace));
        Kubectl.Result result = kubectl.run("create", "-f", review.toString(), "-o", "jsonpath={.status.allowed}");
        result.requireSuccess();
        return Boolean.parseBoolean(result.stdout().strip());
    }

    private static String render(Path dir, String component) {
        return component.isEmpty() ? Manifests.kustomize(Manifests.K8S) : Manifests.kustomizeWith(dir, component);
    }

    private static Path write(Path dir, String name, List<String> documents) throws IOException {
        return Files.writeString(dir.resolve(name + ".yaml"), String.join("\n---\n", documents));
    }
}
