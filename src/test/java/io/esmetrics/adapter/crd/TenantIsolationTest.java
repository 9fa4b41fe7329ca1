package io.esmetrics.adapter.crd;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.esmetrics.adapter.rules.Aggregation;
import io.esmetrics.adapter.rules.MetricDefinition;
import io.esmetrics.adapter.rules.MetricRules;
import io.esmetrics.adapter.testsupport.AdjustableClock;
import io.esmetrics.adapter.testsupport.Events;
import io.esmetrics.adapter.testsupport.OwnElasticsearchTestResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ElasticsearchMetrics written to read another team's events, against a real Elasticsearch of its own (whose
 * only indices are the event indices, so that {@code *} means exactly them): the namespace filter the adapter
 * adds always wins. Team B has 70 requests, team A 30; a resource of team A never counts one of team B's.
 */
@QuarkusTest
@TestProfile(CustomResourcesEnabled.class)
@WithKubernetesTestServer(crud = true, setup = CustomResourcesEnabled.CrdInstalled.class)
@WithTestResource(OwnElasticsearchTestResource.class)
class TenantIsolationTest {

    private static final String API = "/apis/external.metrics.k8s.io/v1beta1/namespaces/";
    private static final String TEAM_A = "tenant-a-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String TEAM_B = "tenant-b-" + UUID.randomUUID().toString().substring(0, 8);

    @Inject
    KubernetesClient client;

    @Inject
    MetricRules rules;

    @BeforeAll
    static void indexEvents() {
        Instant now = AdjustableClock.ofRunningAdapter().freeze();
        Events.create()
                .requests(30, now.minusSeconds(30), TEAM_A, "chat", 200)
                .requests(70, now.minusSeconds(30), TEAM_B, "chat", 200)
                .indexInto(OwnElasticsearchTestResource.node());
    }

    @Test
    void aFilterNamingAnotherNamespaceFindsNothing() {
        declare("filter-on-b", spec("ai-events-*", Map.of("kubernetes.namespace", List.of(TEAM_B)), null));

        assertThat(total("filter-on-b", null)).isEqualTo("0");
    }

    @Test
    void aLabelOnTheNamespaceFieldShowsOnlyTheOwnNamespace() {
        declare("namespace-label", spec("ai-events-*", Map.of(), Map.of("ns", "kubernetes.namespace")));

        JsonPath all = answer("namespace-label", null);
        assertThat(all.getList("items.metricLabels.ns")).containsExactly(TEAM_A);
        assertThat(all.getList("items.value")).containsExactly("30");
        assertThat(total("namespace-label", "ns=" + TEAM_B)).isEqualTo("0");
        assertThat(total("namespace-label", "ns!=" + TEAM_A)).isEqualTo("0");
    }

    /** The widest pattern the cluster lets resources read ({@code *} itself is refused: CustomResourceMetricsTest). */
    @Test
    void theWidestAllowedIndexPatternReadsOnlyTheOwnNamespace() {
        declare("everything", spec("ai-events-*", Map.of(), null));

        assertThat(total("everything", null)).isEqualTo("30");
    }

    private void declare(String name, MetricDefinition spec) {
        ElasticsearchMetric resource = new ElasticsearchMetric();
        resource.setMetadata(new ObjectMetaBuilder().withNamespace(TEAM_A).withName(name).build());
        resource.setSpec(spec);
        client.resources(ElasticsearchMetric.class).inNamespace(TEAM_A).resource(resource).create();
        await().atMost(Duration.ofSeconds(20)).until(() -> rules.find(TEAM_A, name).isPresent());
    }

    private static MetricDefinition spec(String indexPattern, Map<String, List<String>> filter, Map<String, String> labels) {
        return new MetricDefinition(indexPattern, null, null, null, filter, Aggregation.COUNT, null, "10m", null, null, null,
                null, labels, null);
    }

    private static JsonPath answer(String metric, String selector) {
        var request = given();
        if (selector != null) {
            request = request.queryParam("labelSelector", selector);
        }
        var response = request.get(API + TEAM_A + "/" + metric);
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
        return response.jsonPath();
    }

    private static String total(String metric, String selector) {
        return answer(metric, selector).getList("items.value", String.class).stream()
                .map(java.math.BigDecimal::new).reduce(java.math.BigDecimal.ZERO, java.math.BigDecimal::add).toPlainString();
    }
}
