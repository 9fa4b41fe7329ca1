package io.esmetrics.adapter.elasticsearch;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.esmetrics.adapter.testsupport.SecuredElasticsearch;
import io.esmetrics.adapter.testsupport.SecuredElasticsearchTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A real Elasticsearch with security on: HTTPS signed by a CA the adapter is given, and a file-realm user
 * whose password the adapter reads from a file that rotates like a mounted Secret.
 */
@QuarkusTest
@WithTestResource(value = SecuredElasticsearchTestResource.class, initArgs = @ResourceArg(name = "mode", value = "basic"))
class SecuredElasticsearchTest {

    @Test
    void readsMetricsOverTlsWithBasicAuthentication() {
        given().get("/apis/external.metrics.k8s.io/v1beta1/namespaces/team-a/request_rate").then()
                .statusCode(200).body("items[0].value", equalTo("0"));
    }

    /**
     * Each attempt asks for a series never asked before: a known series would be served from memory (its last
     * good value), which is the cache's business, not what this test is about.
     */
    @Test
    void reportsRejectedCredentialsAsServiceUnavailableAndRecoversWhenTheSecretRotates() {
        java.util.concurrent.atomic.AtomicInteger attempt = new java.util.concurrent.atomic.AtomicInteger();
        try {
            SecuredElasticsearchTestResource.writeSecret("password", "not-the-password");

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    given().queryParam("labelSelector", "service=rotation-" + attempt.incrementAndGet())
                            .get("/apis/external.metrics.k8s.io/v1beta1/namespaces/team-a/request_rate").then()
                            .statusCode(503)
                            .body("reason", equalTo("ServiceUnavailable"))
                            .body("message", allOf(containsString("Elasticsearch answered 401"),
                                    not(containsString("not-the-password")), not(containsString("Exception:")))));
        } finally {
            SecuredElasticsearchTestResource.writeSecret("password", SecuredElasticsearch.PASSWORD);
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().queryParam("labelSelector", "service=rotation-" + attempt.incrementAndGet())
                        .get("/apis/external.metrics.k8s.io/v1beta1/namespaces/team-a/request_rate").then().statusCode(200));
    }
}
