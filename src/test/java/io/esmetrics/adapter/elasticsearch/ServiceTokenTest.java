package io.esmetrics.adapter.elasticsearch;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.esmetrics.adapter.testsupport.AdjustableClock;
import io.esmetrics.adapter.testsupport.Events;
import io.esmetrics.adapter.testsupport.SecuredElasticsearch;
import io.esmetrics.adapter.testsupport.SecuredElasticsearchTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A service account token (a bearer token) read from a file, against the secured real Elasticsearch. */
@QuarkusTest
@WithTestResource(value = SecuredElasticsearchTestResource.class, initArgs = @ResourceArg(name = "mode", value = "bearer"))
class ServiceTokenTest {

    private static final String TEAM = "token-" + UUID.randomUUID().toString().substring(0, 8);

    @Inject
    AdjustableClock clock;

    /**
     * The token is accepted (a rejected one is a 401 from Elasticsearch), but the fleet-server service account may
     * not read ai-events-*: Elasticsearch drops unauthorized indices from a wildcard and would answer an empty
     * window. The events exist; reading their absence as zero load would scale services down.
     */
    @Test
    void authenticatesWithAServiceAccountTokenAndCallsIndicesItMayNotReadNoDataNotZero() {
        Instant now = clock.freeze();
        Events.create().requests(30, now.minusSeconds(10), TEAM, "chat", 200).indexInto(SecuredElasticsearch.get().node());

        given().get("/apis/external.metrics.k8s.io/v1beta1/namespaces/" + TEAM + "/request_rate").then()
                .statusCode(503)
                .body("kind", equalTo("Status"))
                .body("reason", equalTo("ServiceUnavailable"))
                .body("message", allOf(containsString("index pattern ai-events-* matches no index the adapter may read"),
                        containsString("lacks the read privilege")));
    }
}
