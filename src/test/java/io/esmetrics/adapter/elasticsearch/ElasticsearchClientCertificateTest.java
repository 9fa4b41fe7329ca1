package io.esmetrics.adapter.elasticsearch;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.esmetrics.adapter.testsupport.SecuredElasticsearchTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import io.esmetrics.adapter.testsupport.Events;
import io.esmetrics.adapter.testsupport.SecuredElasticsearch;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A real Elasticsearch authenticating the adapter by its client certificate (PKI realm). The adapter starts
 * with a CA bundle and a certificate the node does not know, as after a botched rotation; fixing each file of the
 * mounted Secret takes effect without a restart, although the client keeps its connections alive.
 */
@QuarkusTest
@WithTestResource(value = SecuredElasticsearchTestResource.class, initArgs = @ResourceArg(name = "mode", value = "certificate"))
class ElasticsearchClientCertificateTest {

    private final AtomicInteger attempt = new AtomicInteger();

    @Test
    void authenticatesByClientCertificateAndFollowsTheRotatedFiles() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> newSeries().statusCode(503)
                .body("reason", equalTo("ServiceUnavailable"))
                .body("message", containsString("PKIX path building failed")));

        // The JDK offers a client certificate only when its issuer is one the server asks for: none here.
        SecuredElasticsearchTestResource.writeTrustedCa();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> newSeries().statusCode(503)
                .body("message", containsString("401")).body("message", containsString("missing authentication credentials")));

        SecuredElasticsearchTestResource.writeTrustedClientCertificate();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> newSeries().statusCode(200)
                .body("items[0].value", equalTo("0")));
    }

    /**
     * A series never asked for: a known one would be served from memory, which is not what this test is about. The
     * clock runs (the failures open the circuit breaker, whose pauses must pass), so events keep arriving.
     */
    private ValidatableResponse newSeries() {
        Events.create().requests(1, Instant.now().minusSeconds(1), "team-a", "other", 200).indexInto(SecuredElasticsearch.get().node());
        return given().queryParam("labelSelector", "service=certificate-" + attempt.incrementAndGet())
                .get("/apis/external.metrics.k8s.io/v1beta1/namespaces/team-a/request_rate").then();
    }
}
