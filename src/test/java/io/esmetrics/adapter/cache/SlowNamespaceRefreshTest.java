package io.esmetrics.adapter.cache;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.esmetrics.adapter.crd.CustomResourcesEnabled;
import io.esmetrics.adapter.crd.ElasticsearchMetric;
import io.esmetrics.adapter.rules.Aggregation;
import io.esmetrics.adapter.rules.MetricDefinition;
import io.esmetrics.adapter.testsupport.ElasticsearchProxy;
import io.esmetrics.adapter.testsupport.ElasticsearchProxy.DelayMentioning;
import io.esmetrics.adapter.testsupport.ElasticsearchProxy.Forward;
import io.esmetrics.adapter.testsupport.Events;
import io.esmetrics.adapter.testsupport.ProxiedElasticsearchTestResource;
import io.esmetrics.adapter.testsupport.SharedElasticsearch;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Fair refresh (docs/design.md): one namespace whose ElasticsearchMetric searches are slow (10 s, at a proxy in front
 * of the real Elasticsearch, for the searches that mention that namespace only) delays no other namespace's refresh.
 * Before fair refresh, both namespaces' answers shared one {@code _msearch} and every refresh waited for all of its
 * batches: the other namespace was refreshed once per slow search; and refreshes must start at a fixed rate, or the
 * others' refresh comes every two intervals while one waits for a slow batch.
 */
@QuarkusTest
@TestProfile(SlowNamespaceRefreshTest.HalfSecondRefresh.class)
@WithKubernetesTestServer(crud = true, setup = CustomResourcesEnabled.CrdInstalled.class)
@WithTestResource(ProxiedElasticsearchTestResource.class)
class SlowNamespaceRefreshTest {

    /** A refresh every 500 ms; a socket timeout beyond the slow searches, so that they are slow, not failed. */
    public static final class HalfSecondRefresh extends CustomResourcesEnabled {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
            overrides.put("adapter.cache.refresh-interval", "500ms");
            overrides.put("adapter.cache.min-query-interval", "100ms");
            overrides.put("adapter.elasticsearch.ingest-lag-interval", "1h");
            overrides.put("quarkus.elasticsearch.socket-timeout", "30S");
            return overrides;
        }
    }

    private static final String API = "/apis/external.metrics.k8s.io/v1beta1/namespaces/";
    private static final String METRIC = "chat-requests";
    private static final Duration SLOW = Duration.ofSeconds(10);

    private final ElasticsearchProxy proxy = ProxiedElasticsearchTestResource.proxy();

    @Inject
    KubernetesClient kubernetes;

    @Inject
    MeterRegistry registry;

    @Test
    void aNamespaceWhoseSearchesAreSlowDelaysNoOtherNamespacesRefresh() {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String slow = "slow-" + id;
        String quick = "quick-" + id;
        servedWithTheirEvents(slow, quick);
        double overrunsBefore = overruns();
        long delayedBefore = proxy.delayed();
        long slowSearches;
        long quickSearches;
        try {
            proxy.behave(new DelayMentioning(slow, SLOW));
            // The slow namespace's refresh has started, and the refresh that carried it has given up waiting for it.
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                    .until(() -> proxy.delayed() > delayedBefore && overruns() > overrunsBefore);
            slowSearches = proxy.searchesMentioning(slow);
            quickSearches = proxy.searchesMentioning(quick);

            await("three refreshes of the quick namespace during one slow search").atMost(Duration.ofSeconds(6))
                    .pollInterval(Duration.ofMillis(50)).until(() -> proxy.searchesMentioning(quick) >= quickSearches + 3);

            assertThat(proxy.searchesMentioning(slow))
                    .as("the slow answer stays claimed by its running search: not searched twice").isEqualTo(slowSearches);
        } finally {
            proxy.behave(new Forward());
        }
        // Its search ends and releases the claim: the slow namespace is refreshed again, no claim was left behind.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> proxy.searchesMentioning(slow) > slowSearches);
        assertThat(value(slow)).isEqualTo("6");
    }

    /**
     * A namespace slower than the interval at every refresh (700 ms searches, a 500 ms interval): each refresh that
     * carries its next batch waits the whole interval for it. Refreshes start at a fixed rate, so the others are still
     * refreshed every 500 ms, twelve times in 6 s; starting each a fixed delay after the previous one ended would
     * make it every second, six.
     */
    @Test
    void aNamespaceSlowAtEveryRefreshKeepsNoOtherFromItsInterval() {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String slow = "always-slow-" + id;
        String quick = "always-quick-" + id;
        servedWithTheirEvents(slow, quick);
        try {
            proxy.behave(new DelayMentioning(slow, Duration.ofMillis(700)));
            double overrunsBefore = overruns();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> overruns() > overrunsBefore);
            long quickSearches = proxy.searchesMentioning(quick);

            await("eight refreshes of the quick namespace in 6 s").atMost(Duration.ofSeconds(6))
                    .pollInterval(Duration.ofMillis(50)).until(() -> proxy.searchesMentioning(quick) >= quickSearches + 8);
        } finally {
            proxy.behave(new Forward());
        }
    }

    /** Six events for {@code slow}, twelve for {@code quick}, each namespace's metric declared and served. */
    private void servedWithTheirEvents(String slow, String quick) {
        Instant at = Instant.now().minusSeconds(10);
        Events.create().requests(6, at, slow, "chat", 200).requests(12, at, quick, "chat", 200)
                .indexInto(SharedElasticsearch.node());
        declare(slow);
        declare(quick);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> "6".equals(value(slow)) && "12".equals(value(quick)));
    }

    private double overruns() {
        return registry.counter("esmetrics.cache.refresh.overruns").count();
    }

    private void declare(String namespace) {
        ElasticsearchMetric resource = new ElasticsearchMetric();
        resource.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(METRIC).build());
        resource.setSpec(new MetricDefinition("ai-events-*", null, null, null, Map.of("event.dataset", List.of("ai.request")),
                Aggregation.COUNT, null, "10m", null, null, null, null, Map.of("service", "service.name"), null));
        kubernetes.resources(ElasticsearchMetric.class).inNamespace(namespace).resource(resource).create();
    }

    private static String value(String namespace) {
        Response response = given().queryParam("labelSelector", "service=chat").get(API + namespace + "/" + METRIC);
        return response.statusCode() == 200 ? response.path("items[0].value") : "HTTP " + response.statusCode();
    }
}
