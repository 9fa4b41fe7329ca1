package io.esmetrics.adapter.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.esmetrics.adapter.crd.CustomResourcesEnabled;
import io.esmetrics.adapter.crd.ElasticsearchMetric;
import io.esmetrics.adapter.rules.Aggregation;
import io.esmetrics.adapter.rules.MetricDefinition;
import io.esmetrics.adapter.rules.MetricRule;
import io.esmetrics.adapter.rules.MetricRules;
import io.esmetrics.adapter.testsupport.AdjustableClock;
import io.esmetrics.adapter.testsupport.ElasticsearchTestResource;
import io.esmetrics.adapter.testsupport.Events;
import io.esmetrics.adapter.testsupport.SharedElasticsearch;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The ingest lag and stall gauges of the configured metrics, with time moved by the test, while namespaces declare metrics of their own. */
@QuarkusTest
@TestProfile(IngestLagMonitorTest.LaggingIndices.class)
@WithKubernetesTestServer(crud = true, setup = CustomResourcesEnabled.CrdInstalled.class)
@WithTestResource(ElasticsearchTestResource.class)
class IngestLagMonitorTest {

    /** ElasticsearchMetrics on, and a configured metric over indices only this test writes. */
    public static final class LaggingIndices extends CustomResourcesEnabled {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
            overrides.put("adapter.rules.files", overrides.get("adapter.rules.files") + ",src/test/resources/IngestLagMonitorTest/metrics.yaml");
            return overrides;
        }
    }

    private static final String TEAM = "lag-" + UUID.randomUUID().toString().substring(0, 8);

    @Inject
    IngestLagMonitor monitor;

    @Inject
    MetricRules rules;

    @Inject
    KubernetesClient client;

    @Inject
    MeterRegistry registry;

    @Inject
    AdjustableClock clock;

    @Test
    void measuresHowOldTheNewestEventIsAndWhenThatMeansStalled() {
        Instant now = clock.freeze();
        Events.create().requests(1, now.minusSeconds(7), TEAM, "chat", 200).indexInto(SharedElasticsearch.node(), "ingest-lag-events-");
        MetricRule lagging = rules.find(TEAM, "lagging_requests").orElseThrow();

        monitor.lookUp();

        assertThat(monitor.lagSeconds(lagging)).isEqualTo(7.0);
        assertThat(monitor.stalled(lagging)).isZero();

        clock.advance(Duration.ofSeconds(60));
        monitor.lookUp();

        assertThat(monitor.lagSeconds(lagging)).isEqualTo(67.0);
        assertThat(monitor.stalled(lagging)).as("67s of silence, stalledAfter 1m").isEqualTo(1.0);
    }

    @Test
    void measuresTheConfiguredMetricsAndLeavesOutThoseOfNamespaces() {
        ElasticsearchMetric resource = new ElasticsearchMetric();
        resource.setMetadata(new ObjectMetaBuilder().withNamespace(TEAM).withName("team-requests").build());
        resource.setSpec(new MetricDefinition("ai-events-*", null, null, null,
                Map.of("event.dataset", List.of("ai.request")), Aggregation.COUNT, null, "10m", null, null, null, null, null, null));
        client.resources(ElasticsearchMetric.class).inNamespace(TEAM).resource(resource).create();
        await().atMost(Duration.ofSeconds(20)).until(() -> rules.names().contains("team-requests"));

        assertThat(registry.find("esmetrics.ingest.lag").tag("metric", "lagging_requests").gauge()).isNotNull();
        assertThat(registry.find("esmetrics.ingest.stalled").tag("metric", "request_rate").gauge()).isNotNull();
        assertThat(registry.find("esmetrics.ingest.lag").tag("metric", "team-requests").gauge()).isNull();
        assertThat(registry.find("esmetrics.ingest.stalled").tag("metric", "team-requests").gauge()).isNull();
    }
}
