package io.esmetrics.adapter.elasticsearch;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import io.esmetrics.adapter.cache.CacheConfig;
import io.esmetrics.adapter.rules.ClusterHealthRule;
import io.esmetrics.adapter.testsupport.ElasticsearchProcess;
import io.esmetrics.adapter.testsupport.OwnElasticsearchTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The cluster health metric against a real single node of each engine, its own (the shared node is yellow: the event
 * template gives ai-events-* a replica that one node cannot place): the value the Elasticsearch HPA's second metric
 * reads, through the cache, as the HPA asks for it.
 */
@QuarkusTest
@Tag("engines")
@WithTestResource(OwnElasticsearchTestResource.class)
class ShardsUnsettledMetricTest {

    private static final String METRIC = "/apis/external.metrics.k8s.io/v1beta1/namespaces/elastic/" + ClusterHealthRule.NAME;
    /** The cache refreshes every 15 s: a change shows within one refresh, with room for a slow machine. */
    private static final Duration CHANGE_SHOWS = Duration.ofSeconds(60);

    @Inject
    CacheConfig cache;

    @Test
    void holdsWhileAReplicaCannotBePlacedAndReleasesOnceTheReplicasAreSetToZero() {
        ElasticsearchProcess node = OwnElasticsearchTestResource.node();
        assertThat(value()).as("a green cluster with nothing moving").isEqualTo("0");

        node.request("PUT", "/unplaceable-replica?wait_for_active_shards=1",
                "{\"settings\": {\"number_of_shards\": 2, \"number_of_replicas\": 1}}");
        try {
            await().atMost(CHANGE_SHOWS).pollInterval(Duration.ofMillis(500)).until(() -> "1".equals(value()));

            node.request("PUT", "/unplaceable-replica/_settings", "{\"index\": {\"number_of_replicas\": 0}}");
            node.request("GET", "/_cluster/health?wait_for_status=green&timeout=30s", null);

            await().atMost(CHANGE_SHOWS).pollInterval(Duration.ofMillis(500)).until(() -> "0".equals(value()));
        } finally {
            node.request("DELETE", "/unplaceable-replica", null);
        }
    }

    /** The rule's staleness and the cache's budget for the metric are set in two places: application.properties. */
    @Test
    void isHeldNoLongerThanTheRuleSays() {
        assertThat(cache.maxValueAge(ClusterHealthRule.NAME)).isEqualTo(ClusterHealthRule.STALENESS);
    }

    @Test
    void isListedInDiscoveryLikeEveryMetric() {
        given().get("/apis/external.metrics.k8s.io/v1beta1").then().statusCode(200)
                .body("resources.name", hasItem(ClusterHealthRule.NAME));
    }

    @Test
    void explainShowsTheClusterHealthRequestItMakes() {
        given().queryParam("explain", "true").queryParam("target", "1").queryParam("replicas", "3")
                .get(METRIC).then().statusCode(200)
                .body("rule.source", startsWith("built-in: Elasticsearch's cluster health"))
                .body("backend.request.method", org.hamcrest.Matchers.equalTo("GET"))
                .body("backend.request.path", startsWith("/_cluster/health?filter_path=status,relocating_shards"))
                .body("backend.request.console", startsWith("GET /_cluster/health?"))
                .body("backend.computedBy", startsWith("One cluster health request for every namespace"));
    }

    private static String value() {
        return given().get(METRIC).then().statusCode(200).extract().path("items[0].value");
    }
}
