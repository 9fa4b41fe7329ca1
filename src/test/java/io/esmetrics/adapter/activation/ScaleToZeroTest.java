package io.esmetrics.adapter.activation;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import io.esmetrics.adapter.testsupport.AdjustableClock;
import io.esmetrics.adapter.testsupport.ElasticsearchTestResource;
import io.esmetrics.adapter.testsupport.Events;
import io.esmetrics.adapter.testsupport.SharedElasticsearch;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A queue that drains to a trickle, against a real Elasticsearch, as the HPA of a service that scales to zero reads it:
 * {@code idle_queue_length} (ScaleToZeroTest/metrics.yaml) is queue_length with an activation threshold of 5 and a lower
 * bound of 2. The adapter's clock is moved by the test, 10 s per poll, past the 5 s staleness budget, so each poll reads
 * the samples written just before it through a search, as a poll does once the refresh has run.
 */
@QuarkusTest
@TestProfile(ScaleToZeroTest.ReadsOnPoll.class)
@WithTestResource(ElasticsearchTestResource.class)
class ScaleToZeroTest {

    /** No background refresh (the polls decide), and a budget shorter than a poll's step. */
    public static final class ReadsOnPoll implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "adapter.rules.files", "src/test/resources/test-metrics.yaml,src/test/resources/ScaleToZeroTest/metrics.yaml",
                    "adapter.cache.refresh-interval", "1h",
                    "adapter.cache.max-value-age", "5s");
        }
    }

    private static final String API = "/apis/external.metrics.k8s.io/v1beta1/namespaces/";
    private static final String METRIC = "idle_queue_length";
    private static final Duration POLL = Duration.ofSeconds(10);

    private final String team = "idle-" + UUID.randomUUID().toString().substring(0, 8);

    @Inject
    AdjustableClock clock;

    @Inject
    MeterRegistry registry;

    @Test
    void readsZeroUntilTheThresholdThenTheValueUntilItFallsBelowTheLowerBound() {
        clock.freeze();
        double activations = transitions("active");

        poll("chat", 1).body("items", hasSize(1)).body("items[0].value", equalTo("0"))
                .body("items[0].metricLabels.queue", equalTo("q1"));
        assertThat(total(poll("chat", 4))).as("a residual value below the threshold").isEqualTo("0");
        assertThat(total(poll("chat", 3, 3))).as("at or above the threshold, on the total of the queues").isEqualTo("6");
        assertThat(transitions("active") - activations).isEqualTo(1);
        assertThat(total(poll("chat", 2, 1))).as("between the bounds: still read through").isEqualTo("3");
        assertThat(total(poll("chat", 1, 0.5))).as("below the lower bound").isEqualTo("0");
        assertThat(total(poll("chat", 4))).as("between the bounds again: still asleep").isEqualTo("0");
    }

    /** A replica that has not served an answer yet (just started, or forgot it) lets a value between the bounds through. */
    @Test
    void anAnswerThisReplicaHasNoStateOfReadsThroughBetweenTheBounds() {
        clock.freeze();

        assertThat(total(poll("search", 3))).isEqualTo("3");
    }

    @Test
    void explainShowsTheBoundsTheValueTheStateAndWhatIsServed() {
        clock.freeze();
        poll("embeddings", 1);
        clock.advance(POLL);
        write("embeddings", 4);

        given().queryParam("explain", "true").queryParam("labelSelector", "service=embeddings")
                .get(API + team + "/" + METRIC).then().statusCode(200)
                .body("rule.activation.threshold", equalTo(5.0f))
                .body("rule.activation.deactivateBelow", equalTo(2.0f))
                .body("answer.activation.value", equalTo("4"))
                .body("answer.activation.remembered", equalTo("inactive"))
                .body("answer.activation.state", equalTo("inactive"))
                .body("answer.activation.served", equalTo("0"))
                .body("answer.items[0].value", equalTo("0"));
        assertThat(total(poll("embeddings", 4.5))).as("explaining changed no state").isEqualTo("0");
    }

    /** Moves the clock one poll on, writes one sample per queue of the service just before it, and reads the metric. */
    private ValidatableResponse poll(String service, double... queueLengths) {
        clock.advance(POLL);
        write(service, queueLengths);
        return given().queryParam("labelSelector", "service=" + service).get(API + team + "/" + METRIC).then()
                .statusCode(200);
    }

    private void write(String service, double... queueLengths) {
        Instant at = clock.instant().minusSeconds(1);
        Events events = Events.create();
        for (int i = 0; i < queueLengths.length; i++) {
            events.queueSample(at, team, service, "q" + (i + 1), queueLengths[i]);
        }
        events.indexInto(SharedElasticsearch.node());
    }

    /** The items' total as the HPA reads it; in these tests every item is a whole number. */
    private static String total(ValidatableResponse response) {
        List<String> values = response.extract().path("items.value");
        return String.valueOf(values.stream().mapToLong(Long::parseLong).sum());
    }

    private double transitions(String to) {
        var counter = registry.find("esmetrics.activation.transitions").tags("metric", METRIC, "to", to).counter();
        return counter == null ? 0 : counter.count();
    }
}
