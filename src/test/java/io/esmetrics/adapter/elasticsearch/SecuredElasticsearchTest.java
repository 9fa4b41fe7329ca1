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
import io.esmetrics.adapter.testsupport.Events;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A real Elasticsearch with security on: HTTPS signed by a CA the adapter is given, and a file-realm user
 * whose password the adapter reads from a file that rotates like a mounted Secret.
 */
@QuarkusTest
@WithTestResource(value = SecuredElasticsearchTestResource.class, initArgs = @ResourceArg(name = "mode", value = "basic"))
class SecuredElasticsearchTest {

    private static final String API = "/apis/external.metrics.k8s.io/v1beta1/namespaces/";
    private static final String TEAM = "secured-" + UUID.randomUUID().toString().substring(0, 8);

    /** 30 requests in the minute before now: 500m per second. */
    @Test
    void readsMetricsOverTlsWithBasicAuthentication() {
        Instant now = Instant.now();
        Events.create().requests(30, now.minusSeconds(10), TEAM, "chat", 200).indexInto(SecuredElasticsearch.get().node());

        given().get(API + TEAM + "/request_rate").then()
                .statusCode(200).body("items[0].value", equalTo("500m"));
    }

    /**
     * Each attempt asks in a namespace never asked before: a known one would be answered from memory (its last good
     * value, and any selector is picked from it), which is the cache's business, not what this test is about. The clock runs (the password file
     * is read again every few seconds of it), so events keep arriving, in another namespace.
     */
    @Test
    void reportsRejectedCredentialsAsServiceUnavailableAndRecoversWhenTheSecretRotates() {
        java.util.concurrent.atomic.AtomicInteger attempt = new java.util.concurrent.atomic.AtomicInteger();
        try {
            SecuredElasticsearchTestResource.writeSecret("password", "not-the-password");

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    eventsArrive().get(API + TEAM + "-" + attempt.incrementAndGet() + "/request_rate").then()
                            .statusCode(503)
                            .body("reason", equalTo("ServiceUnavailable"))
                            .body("message", allOf(containsString("Elasticsearch answered 401"),
                                    not(containsString("not-the-password")), not(containsString("Exception:")))));
        } finally {
            SecuredElasticsearchTestResource.writeSecret("password", SecuredElasticsearch.PASSWORD);
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                eventsArrive().get(API + TEAM + "-" + attempt.incrementAndGet() + "/request_rate").then().statusCode(200));
    }

    private static io.restassured.specification.RequestSpecification eventsArrive() {
        Events.create().requests(1, Instant.now(), "heartbeat-" + TEAM, "chat", 200).indexInto(SecuredElasticsearch.get().node());
        return given();
    }
}
