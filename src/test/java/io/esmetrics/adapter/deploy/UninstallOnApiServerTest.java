package io.esmetrics.adapter.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.esmetrics.adapter.testsupport.ControlPlane;
import io.esmetrics.adapter.testsupport.Kubectl;
import io.esmetrics.adapter.testsupport.SharedControlPlane;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kubectl delete -k k8s/uninstall} on a real API server, after {@code kubectl apply -k k8s/}: the stack's
 * namespaces go (the namespace controller deletes what they hold), the ElasticsearchMetric definition and the teams'
 * ElasticsearchMetrics stay (docs/deploying.md, "Uninstall").
 */
@ExtendWith(SharedControlPlane.class)
class UninstallOnApiServerTest {

    private static final String DEFINITION = "customresourcedefinition/elasticsearchmetrics.esmetrics.io";
    private static final List<String> TEAM_NAMESPACES = List.of("uninstall-team-a", "uninstall-team-b");

    private static Kubectl kubectl;
    private static List<String> stackNamespaces;

    @BeforeAll
    static void installTheStackAndTeamMetrics(ControlPlane controlPlane, @TempDir Path dir) throws Exception {
        kubectl = controlPlane.kubectl();
        // The definition first: kubectl maps every object of one apply before it sends any.
        kubectl.run("apply", "--server-side", "-k", Manifests.K8S.resolve("crd").toString()).requireSuccess();
        kubectl.run("wait", "--for=condition=Established", "--timeout=50s", DEFINITION).requireSuccess();
        kubectl.run("apply", "--server-side", "-k", Manifests.K8S.toString()).requireSuccess();
        stackNamespaces = Manifests.documents(Manifests.kustomize(Manifests.K8S.resolve("uninstall"))).stream()
                .map(Manifests::yaml)
                .filter(object -> object.path("kind").asText().equals("Namespace"))
                .map(object -> object.at("/metadata/name").asText())
                .toList();
        StringBuilder metrics = new StringBuilder();
        for (String namespace : TEAM_NAMESPACES) {
            metrics.append("""
                    apiVersion: v1
                    kind: Namespace
                    metadata:
                      name: %1$s
                    ---
                    apiVersion: esmetrics.io/v1alpha1
                    kind: ElasticsearchMetric
                    metadata:
                      name: checkout-errors
                      namespace: %1$s
                    spec: {indexPattern: ai-events-*, aggregation: count}
                    ---
                    """.formatted(namespace));
        }
        kubectl.run("apply", "--server-side", "-f", Files.writeString(dir.resolve("teams.yaml"), metrics).toString()).requireSuccess();
    }

    @Test
    void uninstallDeletesTheStackAndLeavesTheDefinitionAndEveryElasticsearchMetric() throws Exception {
        // --wait=false: kubectl would otherwise wait for the namespaces' contents to go; the await below does.
        Kubectl.Result result = kubectl.run("delete", "-k", Manifests.K8S.resolve("uninstall").toString(), "--wait=false");

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(stackNamespaces).isNotEmpty();
        await("the stack's namespaces deleted").atMost(Duration.ofMinutes(1)).untilAsserted(() ->
                assertThat(kubectl.run("get", "namespaces", "-o", "name").stdout().lines())
                        .doesNotContainAnyElementsOf(stackNamespaces.stream().map(name -> "namespace/" + name).toList()));
        assertThat(kubectl.run("get", DEFINITION).exitCode()).as("the definition is left").isZero();
        assertThat(kubectl.run("get", "elasticsearchmetrics", "--all-namespaces", "-o",
                "jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{\"\\n\"}{end}").stdout().lines())
                .containsAll(TEAM_NAMESPACES.stream().map(namespace -> namespace + "/checkout-errors").toList());
    }
}
