package io.esmetrics.adapter.externalmetrics;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.hamcrest.Matchers.not;

import io.esmetrics.adapter.testsupport.RefusedPort;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Elasticsearch cannot be reached: metrics fail with 503, never a made-up zero; discovery and probes stay up. */
@QuarkusTest
@TestProfile(ElasticsearchDownTest.NothingListening.class)
class ElasticsearchDownTest {

    public static final class NothingListening implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.elasticsearch.hosts", RefusedPort.hostAndPort());
        }
    }

    @Test
    void answersServiceUnavailableWithTheReason() {
        given().get("/apis/external.metrics.k8s.io/v1beta1/namespaces/team-a/request_rate").then()
                .statusCode(503)
                .body("kind", equalTo("Status"))
                .body("apiVersion", equalTo("v1"))
                .body("status", equalTo("Failure"))
                .body("code", equalTo(503))
                .body("reason", equalTo("ServiceUnavailable"))
                // Its own look-up's words, or those of the batch whose failure is kept for 2 s (IngestWatch).
                .body("message", startsWith("metric request_rate cannot be computed: Elasticsearch did not answer "))
                .body("message", containsString("look-up"))
                .body("message", endsWith(": connection refused"))
                .body("message", not(containsString(RefusedPort.hostAndPort().split(":")[1])))
                .body("message", not(containsString("Exception:")))
                .body("message", not(containsString("\tat ")));
    }

    /** What an operator runs first when HPAs show {@code <unknown>}: it answers, and says why the HPAs get nothing. */
    @Test
    void explainsWhyTheMetricCannotBeComputed() {
        given().queryParam("explain", "true").queryParam("target", "10")
                .get("/apis/external.metrics.k8s.io/v1beta1/namespaces/team-a/request_rate").then()
                .statusCode(200)
                .body("answer.code", equalTo(503))
                .body("answer.from", equalTo("none"))
                .body("answer.status.message", containsString("Elasticsearch did not answer"))
                .body("backend.ingest.problem", containsString("Elasticsearch did not answer"))
                .body("backend.request.path", startsWith("/ai-events-*/_search"))
                .body("hpa.why", containsString("503 ServiceUnavailable"));
    }

    @Test
    void keepsDiscoveryAndProbesAvailable() {
        given().get("/apis/external.metrics.k8s.io/v1beta1").then().statusCode(200)
                .body("resources.name", org.hamcrest.Matchers.hasItem("queue_length"));
        given().get("/livez").then().statusCode(200);
        given().get("/readyz").then().statusCode(200);
    }

    @Test
    void stillRejectsUnknownMetricsAsNotFound() {
        given().get("/apis/external.metrics.k8s.io/v1beta1/namespaces/team-a/nope").then()
                .statusCode(404).body("reason", equalTo("NotFound"));
    }
}
