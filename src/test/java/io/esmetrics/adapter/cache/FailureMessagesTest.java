package io.esmetrics.adapter.cache;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.esmetrics.adapter.crd.CustomResourcesEnabled;
import io.esmetrics.adapter.crd.ElasticsearchMetric;
import io.esmetrics.adapter.rules.Aggregation;
import io.esmetrics.adapter.rules.MetricDefinition;
import io.esmetrics.adapter.testsupport.AdjustableClock;
import io.esmetrics.adapter.testsupport.RefusedPort;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A failure is told to each caller in the words of its own metric (docs/security.md, "What callers learn of
 * failures"). Elasticsearch unreachable, two namespaces' ElasticsearchMetrics refreshed in one batch: the one team's
 * answers, explanation and conditions never name the other's index pattern, nor Elasticsearch's address.
 */
@QuarkusTest
@TestProfile(FailureMessagesTest.NothingListening.class)
@WithKubernetesTestServer(crud = true, setup = CustomResourcesEnabled.CrdInstalled.class)
class FailureMessagesTest {

    public static final class NothingListening extends CustomResourcesEnabled {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
            overrides.put("quarkus.elasticsearch.hosts", RefusedPort.hostAndPort());
            overrides.put("adapter.cache.refresh-interval", "1h");
            // The teams' own indices, which the cluster lets them read here.
            overrides.put("adapter.custom-resources.allowed-index-patterns", "team-a-*,team-b-*");
            return overrides;
        }
    }

    private static final String API = "/apis/external.metrics.k8s.io/v1beta1/namespaces/";
    private static final String SECRET_PATTERN = "team-a-secret-payroll";
    private static final String PORT = RefusedPort.hostAndPort().split(":")[1];

    @Inject
    KubernetesClient kubernetes;

    @Inject
    SeriesRefresher refresher;

    @Inject
    AdjustableClock clock;

    @Test
    void oneTeamsFailuresNeverNameAnotherTeamsIndicesNorElasticsearchsAddress() {
        declare("team-a", "secret", SECRET_PATTERN + "-*");
        declare("team-b", "visible", "team-b-events-*");
        await().atMost(Duration.ofSeconds(20)).until(() -> given().get(API + "team-a/secret").statusCode() == 503
                && given().get(API + "team-b/visible").statusCode() == 503);

        // A minute later (past the circuit's pause and the answers' minimum query interval), one refresh of every
        // answer held: the two teams' answers in one batch, so one batch of look-ups for both teams' indices.
        clock.advance(Duration.ofMinutes(1));
        refresher.refresh();

        for (String path : List.of("team-b/visible", "team-b/request_rate", "team-b/visible?explain=true")) {
            String body = given().get(API + path).asString();
            assertThat(body).as(path).contains("Elasticsearch").doesNotContain(SECRET_PATTERN).doesNotContain(PORT);
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            ElasticsearchMetric visible = kubernetes.resources(ElasticsearchMetric.class).inNamespace("team-b").withName("visible").get();
            assertThat(visible.getStatus()).isNotNull();
            assertThat(visible.getStatus().conditions()).isNotEmpty().allSatisfy(condition ->
                    assertThat(condition.getMessage()).doesNotContain(SECRET_PATTERN).doesNotContain(PORT));
        });
    }

    private void declare(String namespace, String name, String indexPattern) {
        ElasticsearchMetric resource = new ElasticsearchMetric();
        resource.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
        resource.setSpec(new MetricDefinition(indexPattern, null, null, null, null, Aggregation.COUNT, null, "1m", null, null,
                null, null, null, null));
        kubernetes.resources(ElasticsearchMetric.class).inNamespace(namespace).resource(resource).create();
    }
}
