package io.esmetrics.adapter.cluster;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.esmetrics.adapter.crd.CustomResourcesEnabled;
import io.esmetrics.adapter.crd.ElasticsearchMetric;
import io.esmetrics.adapter.rules.Aggregation;
import io.esmetrics.adapter.rules.MetricDefinition;
import io.esmetrics.adapter.testsupport.ElasticsearchTestResource;
import io.esmetrics.adapter.testsupport.Events;
import io.esmetrics.adapter.testsupport.SharedElasticsearch;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The packaged defaults, outside a cluster, with a Kubernetes API whose client knows no namespace (no pod, no
 * kubeconfig context): the features that need the adapter's own namespace (the self-managed certificate, the status
 * writer's Lease) are off, each with one log line, and the adapter starts, serves metrics over HTTPS and writes
 * ElasticsearchMetric statuses (as the only writer).
 */
@QuarkusTest
@TestProfile(OutOfClusterStartTest.PackagedDefaults.class)
@WithKubernetesTestServer(crud = true, setup = CustomResourcesEnabled.CrdInstalled.class)
@WithTestResource(OutOfClusterStartTest.NoNamespaceKnown.class)
@WithTestResource(ElasticsearchTestResource.class)
class OutOfClusterStartTest {

    /** What the Deployment sets (HTTPS, self-managed certificate, ElasticsearchMetrics with an elected writer). */
    public static final class PackagedDefaults implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "adapter.serving.tls", "true",
                    "adapter.serving.self-managed", "true",
                    "adapter.custom-resources.enabled", "true",
                    "adapter.custom-resources.status-interval", "500ms",
                    "quarkus.log.category.\"io.fabric8.mockwebserver\".level", "WARN");
        }
    }

    /**
     * The mock API server's test resource names a namespace for the client (a system property); a kubeconfig without
     * a context namespace, or a bare API server URL and token, name none. Started after it, this one removes it.
     */
    public static final class NoNamespaceKnown implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            System.clearProperty("kubernetes.namespace");
            return Map.of();
        }

        @Override
        public void stop() {
        }

        @Override
        public int order() {
            return 100;
        }
    }

    private static final String TEAM = "outside-" + UUID.randomUUID().toString().substring(0, 8);

    @Inject
    OwnNamespace ownNamespace;

    @Inject
    KubernetesClient client;

    @TestHTTPResource(value = "/", tls = true)
    URL https;

    @Test
    void startsServesMetricsAndWritesStatusesWithoutKnowingItsNamespace() {
        // Older than the windows' 5 s ingest lag: the resource below, which nobody reads, is searched for its status
        // when it appears, then only every 5 minutes.
        Events.create().queueSample(Instant.now().minusSeconds(30), TEAM, "chat", "q1", 6).indexInto(SharedElasticsearch.node());

        assertThat(ownNamespace.get()).isEmpty();
        // A generated self-signed certificate stands in for the self-managed one: trusting it is not this test's subject.
        given().relaxedHTTPSValidation().get(https + "apis/external.metrics.k8s.io/v1beta1/namespaces/" + TEAM + "/queue_length")
                .then().statusCode(200).body("items[0].value", equalTo("6"));

        ElasticsearchMetric resource = new ElasticsearchMetric();
        resource.setMetadata(new ObjectMetaBuilder().withNamespace(TEAM).withName("chat-queues").build());
        resource.setSpec(new MetricDefinition("ai-events-*", null, null, null, Map.of("event.dataset", List.of("ai.queue")),
                Aggregation.COUNT, null, "10m", null, null, null, null, null, null));
        client.resources(ElasticsearchMetric.class).inNamespace(TEAM).resource(resource).create();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            ElasticsearchMetric written = client.resources(ElasticsearchMetric.class).inNamespace(TEAM).withName("chat-queues").get();
            assertThat(written.getStatus()).as("a status written by this replica").isNotNull();
            assertThat(written.getStatus().value()).isEqualTo("1");
        });
    }
}
