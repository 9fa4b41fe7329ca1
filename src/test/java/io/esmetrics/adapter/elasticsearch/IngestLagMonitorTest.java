package io.esmetrics.adapter.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.esmetrics.adapter.crd.CustomResourcesEnabled;
import io.esmetrics.adapter.crd.ElasticsearchMetric;
import io.esmetrics.adapter.crd.ElasticsearchMetricSpec;
import io.esmetrics.adapter.rules.Aggregation;
import io.esmetrics.adapter.rules.MetricRules;
import io.esmetrics.adapter.testsupport.ElasticsearchTestResource;
import io.esmetrics.adapter.testsupport.Events;
import io.esmetrics.adapter.testsupport.SharedElasticsearch;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The ingest lag of the configured metrics, measured while namespaces declare metrics of their own. */
@QuarkusTest
@TestProfile(CustomResourcesEnabled.class)
@WithKubernetesTestServer(crud = true, setup = CustomResourcesEnabled.CrdInstalled.class)
@WithTestResource(ElasticsearchTestResource.class)
class IngestLagMonitorTest {

    private static final String TEAM = "lag-" + UUID.randomUUID().toString().substring(0, 8);

    @Inject
    IngestLagMonitor monitor;

    @Inject
    MetricRules rules;

    @Inject
    KubernetesClient client;

    @Test
    void measuresTheConfiguredMetricsAndLeavesOutThoseOfNamespaces() {
        Events.create().requests(1, Instant.now().minusSeconds(2), TEAM, "chat", 200).indexInto(SharedElasticsearch.node());
        ElasticsearchMetric resource = new ElasticsearchMetric();
        resource.setMetadata(new ObjectMetaBuilder().withNamespace(TEAM).withName("team-requests").build());
        resource.setSpec(new ElasticsearchMetricSpec("ai-events-*", null, null, null,
                Map.of("event.dataset", List.of("ai.request")), Aggregation.COUNT, null, "10m", null, null, null, null));
        client.resources(ElasticsearchMetric.class).inNamespace(TEAM).resource(resource).create();
        await().atMost(Duration.ofSeconds(20)).until(() -> rules.names().contains("team-requests"));

        monitor.lookUp();

        assertThat(monitor.lagSeconds("request_count")).isBetween(0.0, 60.0);
        assertThat(monitor.lagSeconds("team-requests")).isNaN();
    }
}
