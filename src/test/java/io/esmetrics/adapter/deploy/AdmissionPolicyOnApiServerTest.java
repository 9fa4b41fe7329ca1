package io.esmetrics.adapter.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.JsonNode;
import io.esmetrics.adapter.crd.AdapterJudgement;
import io.esmetrics.adapter.crd.ElasticsearchMetric;
import io.esmetrics.adapter.rules.InvalidMetricDefinitionException;
import io.esmetrics.adapter.testsupport.ControlPlane;
import io.esmetrics.adapter.testsupport.Kubectl;
import io.esmetrics.adapter.testsupport.SharedControlPlane;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code k8s/components/admission-policy} on a real API server: its ValidatingAdmissionPolicy, with the shipped
 * ConfigMap of k8s/adapter as parameters, refuses at {@code kubectl apply} the index patterns the adapter would mark
 * Invalid (the same cases as ElasticsearchMetricConverterTest), and admits the others; and a table of the operator's
 * other bounds goes through both the policy and the adapter's converter configured from the same ConfigMap, which
 * must agree. The policy and its binding are removed afterwards: the control plane is shared, and other tests declare
 * metrics of their own.
 */
@ExtendWith(SharedControlPlane.class)
class AdmissionPolicyOnApiServerTest {

    private static final Set<String> POLICY_KINDS = Set.of("ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding");
    private static final String NAMESPACE = "admission-policy-team";

    private static Kubectl kubectl;
    private static Path dir;
    private static Path policy;
    /** The shipped ConfigMap's data as the adapter's properties: the Deployment passes each key as one. */
    private static final Map<String, String> adapterProperties = new HashMap<>();

    @BeforeAll
    static void installThePolicyWithTheAdaptersConfigMap(ControlPlane controlPlane, @TempDir Path tempDir) throws Exception {
        kubectl = controlPlane.kubectl();
        dir = tempDir;
        kubectl.run("apply", "--server-side", "-k", Manifests.K8S.resolve("crd").toString()).requireSuccess();
        kubectl.run("wait", "--for=condition=Established", "--timeout=50s",
                "customresourcedefinition/elasticsearchmetrics.esmetrics.io").requireSuccess();
        List<String> parameters = new ArrayList<>(List.of(
                "apiVersion: v1\nkind: Namespace\nmetadata: {name: es-metrics-adapter}\n",
                "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + NAMESPACE + "}\n"));
        List<String> policyObjects = new ArrayList<>();
        for (String document : Manifests.documents(Manifests.kustomizeWith(dir, "admission-policy"))) {
            JsonNode object = Manifests.yaml(document);
            if (POLICY_KINDS.contains(object.path("kind").asText())) {
                policyObjects.add(document);
            } else if (object.path("kind").asText().equals("ConfigMap")
                    && object.at("/metadata/name").asText().equals("es-metrics-adapter-policy")) {
                parameters.add(document);
                object.path("data").properties().forEach(entry ->
                        adapterProperties.put("adapter.custom-resources." + entry.getKey(), entry.getValue().asText()));
            }
        }
        assertThat(policyObjects).hasSize(2);
        assertThat(parameters).hasSize(3);
        assertThat(adapterProperties).containsOnlyKeys(Stream.of("allowed-index-patterns", "max-labels", "max-window",
                "max-staleness", "max-ingest-lag").map(key -> "adapter.custom-resources." + key).toList());
        kubectl.run("apply", "--server-side", "-f",
                Files.writeString(dir.resolve("parameters.yaml"), String.join("\n---\n", parameters)).toString()).requireSuccess();
        policy = Files.writeString(dir.resolve("policy.yaml"), String.join("\n---\n", policyObjects));
        kubectl.run("apply", "--server-side", "-f", policy.toString()).requireSuccess();
        // The API server compiles a new policy and starts enforcing it a moment later.
        await("the policy enforced").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> dryRun("secrets-*").exitCode() != 0);
    }

    @AfterAll
    static void removeThePolicy() throws Exception {
        if (policy != null) {
            kubectl.run("delete", "-f", policy.toString(), "--ignore-not-found");
        }
    }

    /** The shipped ConfigMap allows ai-events-*: it and narrower patterns, exclusions aside. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ai-events-*", "ai-events-2026.12.*", "ai-events-2026.12.07", "ai-events-*,-ai-events-2025.*"})
    void admitsWhatTheAllowListAllows(String indexPattern) throws Exception {
        Kubectl.Result result = dryRun(indexPattern);

        assertThat(result.exitCode()).as(result.stderr()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ai-*", "secrets", "ai-events-*,secrets", "security-7", "remote:ai-events-*", "remote:*"})
    void refusesWhatTheAdapterWouldMarkInvalid(String indexPattern) throws Exception {
        Kubectl.Result result = dryRun(indexPattern);

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.stderr()).contains("elasticsearchmetrics.esmetrics.io")
                .contains("does not let ElasticsearchMetrics read; allowed: ai-events-*");
    }

    /** Each row: a spec, and the field both refuse it for, or none when both accept it. The ConfigMap's values. */
    static Stream<Arguments> operatorBounds() {
        return Stream.of(
                arguments("as many labels as allowed", "", "{indexPattern: ai-events-*, aggregation: count, "
                        + "labels: {a: f1, b: f2, c: f3, d: f4, e: f5}}"),
                arguments("one label too many", "labels", "{indexPattern: ai-events-*, aggregation: count, "
                        + "labels: {a: f1, b: f2, c: f3, d: f4, e: f5, f: f6}}"),
                arguments("the longest window", "", "{indexPattern: ai-events-*, aggregation: rate, window: 1h}"),
                arguments("the longest window in minutes", "", "{indexPattern: ai-events-*, aggregation: rate, window: 60m}"),
                arguments("a window a second too long", "window", "{indexPattern: ai-events-*, aggregation: rate, window: 1h0m1s}"),
                arguments("a window the CRD allows", "window", "{indexPattern: ai-events-*, aggregation: rate, window: 24h}"),
                arguments("the longest staleness", "", "{indexPattern: ai-events-*, aggregation: latest, field: q, staleness: 1h}"),
                arguments("a staleness too long", "staleness",
                        "{indexPattern: ai-events-*, aggregation: latest, field: q, staleness: 1.5h}"),
                arguments("the longest ingestLag", "", "{indexPattern: ai-events-*, aggregation: count, ingestLag: 300s}"),
                arguments("an ingestLag too long", "ingestLag", "{indexPattern: ai-events-*, aggregation: count, ingestLag: 5m500ms}"),
                arguments("every bound at once, the first named", "labels", "{indexPattern: ai-events-*, aggregation: rate, "
                        + "window: 2h, ingestLag: 1h, labels: {a: f1, b: f2, c: f3, d: f4, e: f5, f: f6}}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void operatorBounds(String what, String refusedField, String spec) throws Exception {
        String resource = resource(spec);
        Kubectl.Result admission = kubectl.run("apply", "--server-side", "--dry-run=server", "-f",
                Files.writeString(Files.createTempFile(dir, "metric-", ".yaml"), resource).toString());
        Optional<InvalidMetricDefinitionException> adapter = AdapterJudgement.refusal(adapterProperties,
                Serialization.unmarshal(resource, ElasticsearchMetric.class));

        if (refusedField.isEmpty()) {
            assertThat(admission.exitCode()).as(admission.stderr()).isZero();
            assertThat(adapter).isEmpty();
        } else {
            assertThat(admission.exitCode()).isNotZero();
            assertThat(admission.stderr()).contains("elasticsearchmetrics.esmetrics.io").contains("spec." + refusedField + ": ")
                    .contains("this cluster allows");
            assertThat(adapter).hasValueSatisfying(problem -> assertThat(problem.field()).isEqualTo(refusedField));
        }
    }

    private static Kubectl.Result dryRun(String indexPattern) throws Exception {
        Path resource = Files.writeString(Files.createTempFile(dir, "metric-", ".yaml"),
                resource("{indexPattern: '" + indexPattern + "', aggregation: count}"));
        return kubectl.run("apply", "--server-side", "--dry-run=server", "-f", resource.toString());
    }

    private static String resource(String spec) {
        return """
                apiVersion: esmetrics.io/v1alpha1
                kind: ElasticsearchMetric
                metadata: {name: m, namespace: %s}
                spec: %s
                """.formatted(NAMESPACE, spec);
    }
}
