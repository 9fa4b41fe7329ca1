package io.esmetrics.adapter.crd;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.esmetrics.adapter.rules.Aggregation;
import io.esmetrics.adapter.rules.MetricDefinition;
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
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A namespace with more ElasticsearchMetrics than the cluster allows (two here): the newest is not served and says
 * why in its status; the others keep working, and it is served once an older one is deleted.
 */
@QuarkusTest
@TestProfile(NamespaceBoundTest.TwoPerNamespace.class)
@WithKubernetesTestServer(crud = true, setup = CustomResourcesEnabled.CrdInstalled.class)
@WithTestResource(ElasticsearchTestResource.class)
class NamespaceBoundTest {

    public static final class TwoPerNamespace extends CustomResourcesEnabled {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
            overrides.put("adapter.custom-resources.max-per-namespace", "2");
            return overrides;
        }
    }

    private static final String API = "/apis/external.metrics.k8s.io/v1beta1/namespaces/";
    private static final String TEAM = "crowded-" + UUID.randomUUID().toString().substring(0, 8);

    @Inject
    KubernetesClient client;

    @Test
    void servesTheOldestUpToTheBoundAndTheNextOnceOneIsDeleted() {
        Events.create().requests(4, Instant.now().minusSeconds(5), TEAM, "chat", 200).indexInto(SharedElasticsearch.node());
        for (String name : new String[] {"a-first", "b-second", "c-third"}) {
            create(name);
            // Distinct creation times, so that "the newest" is c-third by time, not only by name.
            Instant created = Instant.now();
            await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().getEpochSecond() > created.getEpochSecond());
        }

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(given().get(API + TEAM + "/a-first").statusCode()).isEqualTo(200);
            assertThat(given().get(API + TEAM + "/b-second").statusCode()).isEqualTo(200);
            assertThat(given().get(API + TEAM + "/c-third").statusCode()).isEqualTo(404);
            ElasticsearchMetric third = client.resources(ElasticsearchMetric.class).inNamespace(TEAM).withName("c-third").get();
            assertThat(third.getStatus()).isNotNull();
            assertThat(third.getStatus().conditions()).anySatisfy(condition -> {
                assertThat(condition.getType()).isEqualTo("Invalid");
                assertThat(condition.getStatus()).isEqualTo("True");
                assertThat(condition.getMessage()).contains("more than 2 ElasticsearchMetrics")
                        .contains("adapter.custom-resources.max-per-namespace");
            });
        });

        client.resources(ElasticsearchMetric.class).inNamespace(TEAM).withName("a-first").delete();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(given().get(API + TEAM + "/c-third").statusCode()).isEqualTo(200));
        assertThat(given().get(API + TEAM + "/b-second").statusCode()).isEqualTo(200);
    }

    private void create(String name) {
        ElasticsearchMetric resource = new ElasticsearchMetric();
        resource.setMetadata(new ObjectMetaBuilder().withNamespace(TEAM).withName(name).build());
        resource.setSpec(new MetricDefinition("ai-events-*", null, null, null, null, Aggregation.COUNT, null, "10m", null, null,
                null, null, null, null));
        client.resources(ElasticsearchMetric.class).inNamespace(TEAM).resource(resource).create();
    }
}
