package io.esmetrics.adapter.crd;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.esmetrics.adapter.provider.ExternalMetricsProvider;
import io.esmetrics.adapter.rules.Aggregation;
import io.esmetrics.adapter.rules.MetricDefinition;
import io.esmetrics.adapter.selector.LabelSelector;
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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A resource's status costs what its use costs: one no HPA reads is searched for when it appears, then every
 * {@code unused-status-interval} (5m), never kept in memory nor refreshed in the background; one that is read shows
 * what its readers get, from memory. Statuses are computed every half second here (CustomResourcesEnabled).
 */
@QuarkusTest
@TestProfile(CustomResourcesEnabled.class)
@WithKubernetesTestServer(crud = true, setup = CustomResourcesEnabled.CrdInstalled.class)
@WithTestResource(ElasticsearchTestResource.class)
class StatusCostFollowsUseTest {

    private static final String API = "/apis/external.metrics.k8s.io/v1beta1";
    /** One namespace per test: each adds events to its own. */
    private static final String UNREAD = "cost-unread-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String READ = "cost-read-" + UUID.randomUUID().toString().substring(0, 8);
    private static Instant indexedAt;

    @Inject
    KubernetesClient client;

    @Inject
    ExternalMetricsProvider provider;

    @Inject
    MeterRegistry registry;

    @Inject
    AdjustableClock clock;

    /** The clock stands still 30 s after the events, so no window moves past them unless a test moves it. */
    @BeforeAll
    static void indexEvents() {
        indexedAt = AdjustableClock.ofRunningAdapter().freeze().minusSeconds(30);
        Events.create().requests(10, indexedAt, UNREAD, "chat", 200).requests(10, indexedAt, READ, "chat", 200).indexInto(SharedElasticsearch.node());
    }

    @Test
    void anUnreadResourceIsSearchedWhenItAppearsThenEveryUnusedStatusIntervalWithoutBeingKept() {
        double searchesBefore = statusSearches();
        create(UNREAD, "unread-requests");
        await().atMost(Duration.ofSeconds(20)).until(() -> statusValue(UNREAD, "unread-requests"), equalTo("10"));
        assertThat(statusSearches()).isGreaterThan(searchesBefore);
        assertThat(provider.held(UNREAD, "unread-requests", LabelSelector.everything()))
                .as("computing the status neither keeps the answer nor counts as a read that keeps it refreshed").isEmpty();

        Events.create().requests(5, indexedAt, UNREAD, "chat", 200).indexInto(SharedElasticsearch.node());
        // Four status rounds: nobody reads it, and its interval has not passed.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> statusValue(UNREAD, "unread-requests"), equalTo("10"));

        clock.advance(Duration.ofMinutes(5));
        await().atMost(Duration.ofSeconds(20)).until(() -> statusValue(UNREAD, "unread-requests"), equalTo("15"));
        assertThat(provider.held(UNREAD, "unread-requests", LabelSelector.everything())).isEmpty();
    }

    @Test
    void aReadResourceShowsWhatItsReadersGetFromMemory() {
        create(READ, "read-requests");
        // An HPA reads it as soon as the adapter serves it (the informer's event takes a moment).
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get(API + "/namespaces/" + READ + "/read-requests")
                .then().statusCode(200).body("items[0].value", equalTo("10")));
        assertThat(provider.held(READ, "read-requests", LabelSelector.everything())).isPresent();
        await().atMost(Duration.ofSeconds(20)).until(() -> statusValue(READ, "read-requests"), equalTo("10"));

        // Read again after the next events: the background refresh brings them to the reader and to the status alike.
        Events.create().requests(3, indexedAt, READ, "api", 200).indexInto(SharedElasticsearch.node());
        clock.advance(Duration.ofSeconds(20));
        given().get(API + "/namespaces/" + READ + "/read-requests").then().statusCode(200);
        await().atMost(Duration.ofSeconds(40)).until(() -> statusValue(READ, "read-requests"), equalTo("13"));
    }

    private void create(String namespace, String name) {
        ElasticsearchMetric resource = new ElasticsearchMetric();
        resource.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
        resource.setSpec(new MetricDefinition("ai-events-*", null, null, null, Map.of("event.dataset", List.of("ai.request")),
                // Never stalled: the clock moves minutes past the events, which stay in the 10m window.
                Aggregation.COUNT, null, "10m", null, null, null, "0s", Map.of("service", "service.name"), null));
        client.resources(ElasticsearchMetric.class).inNamespace(namespace).resource(resource).create();
    }

    private String statusValue(String namespace, String name) {
        ElasticsearchMetric resource = client.resources(ElasticsearchMetric.class).inNamespace(namespace).withName(name).get();
        return resource == null || resource.getStatus() == null ? null : resource.getStatus().value();
    }

    private double statusSearches() {
        return registry.counter("esmetrics.custom.resources.status.searches").count();
    }
}
