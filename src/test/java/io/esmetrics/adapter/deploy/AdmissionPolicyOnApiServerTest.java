package io.esmetrics.adapter.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.esmetrics.adapter.testsupport.ControlPlane;
import io.esmetrics.adapter.testsupport.Kubectl;
import io.esmetrics.adapter.testsupport.SharedControlPlane;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code k8s/components/admission-policy} on a real API server: its ValidatingAdmissionPolicy, with the shipped
 * ConfigMap of k8s/adapter as parameters, refuses at {@code kubectl apply} the index patterns the adapter would mark
 * Invalid (the same cases as ElasticsearchMetricConverterTest), and admits the others. The policy and its binding are
 * removed afterwards: the control plane is shared, and other tests declare metrics of their own.
 */
@ExtendWith(SharedControlPlane.class)
class AdmissionPolicyOnApiServerTest {

    private static final Set<String> POLICY_KINDS = Set.of("ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding");
    private static final String NAMESPACE = "admission-policy-team";

    private static Kubectl kubectl;
    private static Path dir;
    private static Path policy;

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
            }
        }
        assertThat(policyObjects).hasSize(2);
        assertThat(parameters).hasSize(3);
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

    private static Kubectl.Result dryRun(String indexPattern) throws Exception {
        Path resource = Files.writeString(Files.createTempFile(dir, "metric-", ".yaml"), """
                apiVersion: esmetrics.io/v1alpha1
                kind: ElasticsearchMetric
                metadata: {name: m, namespace: %s}
                spec: {indexPattern: '%s', aggregation: count}
                """.formatted(NAMESPACE, indexPattern));
        return kubectl.run("apply", "--server-side", "--dry-run=server", "-f", resource.toString());
    }
}
