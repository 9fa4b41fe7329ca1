package io.esmetrics.adapter.observability;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

import io.esmetrics.adapter.testsupport.ElasticsearchTestResource;
import io.esmetrics.adapter.testsupport.Events;
import io.esmetrics.adapter.testsupport.SharedElasticsearch;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Prometheus scrapes a separate management port; Kubernetes probes stay on the main port. */
@QuarkusTest
@WithTestResource(ElasticsearchTestResource.class)
class ManagementInterfaceTest {

    private static final String TEAM = "meters-" + UUID.randomUUID().toString().substring(0, 8);

    // The management root is /q already.
    @TestHTTPResource(value = "metrics", management = true)
    URL metrics;

    @TestHTTPResource("/q/metrics")
    URL metricsOnMainPort;

    @Test
    void servesProbesOnTheMainPort() {
        given().get("/livez").then().statusCode(200);
        given().get("/readyz").then().statusCode(200);
    }

    @Test
    void servesPrometheusMetricsOnlyOnTheManagementPort() {
        given().get(metrics).then().statusCode(200);
        given().get(metricsOnMainPort).then().statusCode(404);
    }

    @Test
    void countsRequestsByMetricAndCodeWithoutSelectors() {
        Events.create().queueSample(Instant.now().minusSeconds(5), TEAM, "chat", "q1", 3).indexInto(SharedElasticsearch.node());
        String path = "/apis/external.metrics.k8s.io/v1beta1/namespaces/" + TEAM;
        given().queryParam("labelSelector", "service=chat").get(path + "/queue_length").then().statusCode(200);
        given().queryParam("labelSelector", "service=chat").get(path + "/queue_length").then().statusCode(200);
        given().get(path + "/made_up_" + UUID.randomUUID()).then().statusCode(404);

        given().get(metrics).then().statusCode(200)
                .body(containsString("esmetrics_requests_seconds_count{code=\"200\",metric=\"queue_length\"}"))
                .body(containsString("esmetrics_requests_seconds_count{code=\"404\",metric=\"unknown\"}"))
                .body(containsString("esmetrics_cache_requests_total{metric=\"queue_length\",result=\"miss\"}"))
                .body(containsString("esmetrics_cache_requests_total{metric=\"queue_length\",result=\"hit\"}"))
                .body(containsString("esmetrics_elasticsearch_requests_seconds_count{endpoint=\"search\",outcome=\"success\"}"))
                .body(containsString("esmetrics_elasticsearch_took_seconds_count{metric=\"queue_length\"}"))
                .body(containsString("esmetrics_value_age_seconds{metric=\"queue_length\"}"))
                // The value is not asserted: Micrometer's global registry outlives the Quarkus restarts of a test run,
                // so the first application's gauge (stale in later ones) is the one scraped.
                .body(containsString("# TYPE esmetrics_elasticsearch_circuit_state gauge"))
                .body(containsString("esmetrics_ingest_lag_seconds{metric=\"queue_length\"}"))
                .body(not(containsString("service=chat")));
    }
}
