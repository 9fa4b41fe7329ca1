package io.esmetrics.adapter.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.esmetrics.adapter.testsupport.ControlPlane;
import io.esmetrics.adapter.testsupport.Kubectl;
import io.esmetrics.adapter.testsupport.SharedControlPlane;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The number of ElasticsearchMetrics of a namespace, bounded at {@code kubectl apply}: an admission policy sees one
 * object and cannot count them, so docs/elasticsearchmetric.md gives a ResourceQuota. Its YAML, taken from the doc,
 * on a real API server with the quota controller (which counts the CRD's objects): the resource past the quota is
 * refused, the others are not.
 */
@ExtendWith(SharedControlPlane.class)
class ResourceQuotaOnApiServerTest {

    private static final Path DOC = Path.of("docs/elasticsearchmetric.md");
    private static final String NAMESPACE = "quota-team";

    @Test
    void theDocumentedQuotaRefusesTheResourcePastIt(ControlPlane controlPlane, @TempDir Path dir) throws Exception {
        Kubectl kubectl = controlPlane.kubectl();
        kubectl.run("apply", "--server-side", "-k", Manifests.K8S.resolve("crd").toString()).requireSuccess();
        kubectl.run("wait", "--for=condition=Established", "--timeout=50s",
                "customresourcedefinition/elasticsearchmetrics.esmetrics.io").requireSuccess();
        String quota = documentedQuota().replace("namespace: team-a", "namespace: " + NAMESPACE).replace("\"50\"", "\"2\"");
        assertThat(quota).contains("namespace: " + NAMESPACE).contains("\"2\"");
        kubectl.run("create", "namespace", NAMESPACE);
        // The control plane is shared: start from no resource in the namespace.
        kubectl.run("delete", "elasticsearchmetrics", "--all", "-n", NAMESPACE).requireSuccess();
        kubectl.run("apply", "--server-side", "-f", Files.writeString(dir.resolve("quota.yaml"), quota).toString())
                .requireSuccess();
        // The quota controller computes the quota's usage (counting the CRD's objects) before admission can charge it.
        await("the quota's usage computed").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() ->
                kubectl.run("get", "resourcequota", "elasticsearchmetrics", "-n", NAMESPACE, "-o",
                        "jsonpath={.status.used.count/elasticsearchmetrics\\.esmetrics\\.io}").stdout().trim().equals("0"));

        assertThat(apply(kubectl, dir, "first").exitCode()).isZero();
        assertThat(apply(kubectl, dir, "second").exitCode()).isZero();
        Kubectl.Result third = apply(kubectl, dir, "third");

        assertThat(third.exitCode()).isNotZero();
        assertThat(third.stderr()).contains("exceeded quota: elasticsearchmetrics")
                .contains("count/elasticsearchmetrics.esmetrics.io");
        kubectl.run("delete", "namespace", NAMESPACE, "--wait=false");
    }

    private static Kubectl.Result apply(Kubectl kubectl, Path dir, String name) throws Exception {
        Path resource = Files.writeString(dir.resolve(name + ".yaml"), """
                apiVersion: esmetrics.io/v1alpha1
                kind: ElasticsearchMetric
                metadata: {name: %s, namespace: %s}
                spec: {indexPattern: ai-events-*, aggregation: count}
                """.formatted(name, NAMESPACE));
        return kubectl.run("apply", "--server-side", "-f", resource.toString());
    }

    /** The YAML block of the doc that declares the ResourceQuota. */
    private static String documentedQuota() throws Exception {
        Matcher block = Pattern.compile("```yaml\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(DOC));
        while (block.find()) {
            if (block.group(1).contains("kind: ResourceQuota")) {
                return block.group(1);
            }
        }
        throw new AssertionError(DOC + " has no ResourceQuota example");
    }
}
