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

/**
 * The adapter's Elasticsearch user lacks the read privilege on the event indices, the most common mistake after a
 * missing template: the secured node has the events, the user sees none of them. That is no data, never zero.
 */
@QuarkusTest
@WithTestResource(value = SecuredElasticsearchTestResource.class, initArgs = @ResourceArg(name = "mode", value = "basic-without-events"))
class EventIndicesWithoutReadPrivilegeTest {

    private static final String API = "/apis/external.metrics.k8s.io/v1beta1/namespaces/";
    private static final String TEAM = "blind-" + UUID.randomUUID().toString().substring(0, 8);

    @Inject
    AdjustableClock clock;

    @Test
    void answersServiceUnavailableNamingThePatternAndTheMissingPrivilege() {
        Instant now = clock.freeze();
        Events.create()
                .requests(30, now.minusSeconds(10), TEAM, "chat", 200)
                .queueSample(now.minusSeconds(5), TEAM, "chat", "q1", 12)
                .indexInto(SecuredElasticsearch.get().node());

        for (String metric : new String[] { "request_rate", "queue_length" }) {
            given().queryParam("labelSelector", "service=chat").get(API + TEAM + "/" + metric).then()
                    .statusCode(503)
                    .body("kind", equalTo("Status"))
                    .body("apiVersion", equalTo("v1"))
                    .body("status", equalTo("Failure"))
                    .body("code", equalTo(503))
                    .body("reason", equalTo("ServiceUnavailable"))
                    .body("message", allOf(containsString("metric " + metric + " has no data"),
                            containsString("index pattern ai-events-* matches no index the adapter may read"),
                            containsString("nothing has been written to it yet"),
                            containsString("lacks the read privilege")));
        }
    }
}
