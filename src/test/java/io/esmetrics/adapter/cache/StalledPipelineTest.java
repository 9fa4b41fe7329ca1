package io.esmetrics.adapter.cache;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.esmetrics.adapter.crd.CustomResourcesEnabled;
import io.esmetrics.adapter.crd.ElasticsearchMetric;
import io.esmetrics.adapter.rules.Aggregation;
import io.esmetrics.adapter.rules.MetricDefinition;
import io.esmetrics.adapter.testsupport.AdjustableClock;
import io.esmetrics.adapter.testsupport.ElasticsearchTestResource;
import io.esmetrics.adapter.testsupport.Events;
import io.esmetrics.adapter.testsupport.SharedElasticsearch;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Events stop reaching the indices while the adapter keeps being asked: against the real Elasticsearch, with time
 * moved by the test and each background refresh run by it, the adapter serves the last good values within the
 * staleness budget, then 503 saying the pipeline looks stalled and since when, never the zero that silence would
 * compute; and values again once events resume. The copies of the built-in metrics read indices only this test
 * writes (StalledPipelineTest/metrics.yaml).
 */
@QuarkusTest
@Tag("engines")
@TestProfile(StalledPipelineTest.StallMetrics.class)
@WithKubernetesTestServer(crud = true, setup = CustomResourcesEnabled.CrdInstalled.class)
@WithTestResource(ElasticsearchTestResource.class)
class StalledPipelineTest {

    /** No refresh but those the test runs; the budget of the default (2m), and a per-metric one of 90 s. */
    public static final class StallMetrics extends CustomResourcesEnabled {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
            overrides.put("adapter.rules.files", overrides.get("adapter.rules.files") + ",src/test/resources/StalledPipelineTest/metrics.yaml");
            overrides.put("adapter.cache.refresh-interval", "1h");
            overrides.put("adapter.cache.metrics.stall_queue_length.max-value-age", "90s");
            overrides.put("adapter.custom-resources.allowed-index-patterns",
                    overrides.get("adapter.custom-resources.allowed-index-patterns") + "," + INDEX_PREFIX + "*");
            return overrides;
        }
    }

    private static final String API = "/apis/external.metrics.k8s.io/v1beta1/namespaces/";
    private static final String INDEX_PREFIX = "stall-events-";
    private static final Duration BUDGET = Duration.ofMinutes(2);
    private static final Duration QUEUE_BUDGET = Duration.ofSeconds(90);
    private static final Duration EPSILON = Duration.ofMillis(1);

    private final String team = "stall-" + UUID.randomUUID().toString().substring(0, 8);

    @Inject
    AdjustableClock clock;

    @Inject
    SeriesRefresher refresher;

    @Inject
    MeterRegistry registry;

    @Inject
    KubernetesClient kubernetes;

    @Test
    void servesTheLastGoodValueThenServiceUnavailableWhileThePipelineIsStalledNeverZero() {
        Instant t0 = clock.freeze();
        Instant lastEvent = t0.minusSeconds(5);
        Events.create()
                .queueSample(lastEvent, team, "chat", "q1", 7)
                .queueSample(lastEvent, team, "chat", "q2", 3)
                .requests(60, t0.minusSeconds(20), team, "chat", 200)
                .indexInto(SharedElasticsearch.node(), INDEX_PREFIX);
        declareResourceMetric();

        assertThat(total("stall_queue_length")).isEqualTo("10");
        assertThat(total("stall_request_rate")).isEqualTo("1");
        assertThat(total("stall_request_rate_unwatched")).isEqualTo("1");
        awaitCondition("Ready", "True", "ValueComputed");
        awaitCondition("Stalled", "False", "EventsArriving");

        // 30 s of silence is what stall_request_rate allows: still events arriving, as far as it knows.
        refreshAt(lastEvent.plusSeconds(30));
        assertThat(total("stall_request_rate")).isEqualTo("1");
        assertThat(stalledGauge("stall_request_rate")).isZero();

        // 45 s: the rate's pipeline is stalled, the queue's (1m allowed) is not. The rate's value of 30 s is kept.
        Instant rateLastGood = lastEvent.plusSeconds(30);
        refreshAt(lastEvent.plusSeconds(45));
        assertThat(stalledGauge("stall_request_rate")).isEqualTo(1.0);
        assertThat(stalledGauge("stall_queue_length")).isZero();
        assertThat(total("stall_request_rate")).isEqualTo("1");
        Instant queueLastGood = lastEvent.plusSeconds(45);
        assertThat(total("stall_queue_length")).isEqualTo("10");

        // 95 s: a search now would count no request in the window (0), and the queues a minute later; both stalled.
        refreshAt(lastEvent.plusSeconds(95));
        assertThat(stalledGauge("stall_queue_length")).isEqualTo(1.0);
        assertThat(total("stall_request_rate")).isEqualTo("1");
        assertThat(total("stall_queue_length")).isEqualTo("10");
        assertThat(total("stall_request_rate_unwatched")).as("a metric that opted out of stall detection reads the silence")
                .isEqualTo("0");
        awaitCondition("Ready", "True", "LastGoodValue");
        awaitCondition("Stalled", "True", "PipelineStalled");

        // The staleness budgets, to the millisecond: 90 s for the queues (per metric), 2m for the rate.
        clock.set(queueLastGood.plus(QUEUE_BUDGET));
        assertThat(total("stall_queue_length")).isEqualTo("10");
        clock.set(queueLastGood.plus(QUEUE_BUDGET).plus(EPSILON));
        assertStalledSince("stall_queue_length", lastEvent);
        clock.set(rateLastGood.plus(BUDGET));
        assertThat(total("stall_request_rate")).isEqualTo("1");
        clock.set(rateLastGood.plus(BUDGET).plus(EPSILON));
        assertStalledSince("stall_request_rate", lastEvent);
        awaitCondition("Ready", "False", "PipelineStalled");
        assertThat(condition("Stalled")).get().extracting(Condition::getMessage).asString().contains(lastEvent.toString());

        // Events resume: the next look-up (its 10 s are over) sees them, and values are computed again.
        Instant resumed = clock.advance(Duration.ofSeconds(20));
        Events.create()
                .queueSample(resumed.minusSeconds(1), team, "chat", "q1", 4)
                .requests(30, resumed.minusSeconds(10), team, "chat", 200)
                .indexInto(SharedElasticsearch.node(), INDEX_PREFIX);
        refreshAt(resumed.plusSeconds(11));
        assertThat(total("stall_queue_length")).isEqualTo("4");
        assertThat(total("stall_request_rate")).isEqualTo("500m");
        assertThat(stalledGauge("stall_request_rate")).isZero();
        awaitCondition("Ready", "True", "ValueComputed");
        awaitCondition("Stalled", "False", "EventsArriving");
    }

    @Test
    void aNamespaceWithoutEventsGetsItsLabelledZeroWhileEventsArrive() {
        Instant now = clock.freeze();
        Events.create().requests(1, now.minusSeconds(2), team, "chat", 200).indexInto(SharedElasticsearch.node(), "quiet-events-");

        given().queryParam("labelSelector", "service=chat").get(API + "quiet-" + team + "/quiet_request_rate").then()
                .statusCode(200)
                .body("items[0].value", equalTo("0"))
                .body("items[0].metricLabels.service", equalTo("chat"));
    }

    /**
     * The clock at {@code at}, an HPA reading the resource's metric (a status shows what readers get; an unread
     * resource is searched for every 5m only, StatusCostFollowsUseTest), then one background refresh of every series
     * asked for, as the refresher runs it.
     */
    private void refreshAt(Instant at) {
        clock.set(at);
        given().get(API + team + "/chat-requests").then().statusCode(anyOf(equalTo(200), equalTo(503)));
        refresher.refresh();
    }

    private void assertStalledSince(String metric, Instant lastEvent) {
        given().get(API + team + "/" + metric).then()
                .statusCode(503)
                .body("kind", equalTo("Status"))
                .body("reason", equalTo("ServiceUnavailable"))
                .body("message", containsString("looks stalled since " + lastEvent))
                .body("message", containsString("staleness budget"));
    }

    /** The sum over all series, as the HPA computes it, of a 200 answer. */
    private String total(String metric) {
        Response response = given().get(API + team + "/" + metric);
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
        List<String> values = response.path("items.value");
        BigDecimal total = values.stream()
                .map(quantity -> io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(new io.fabric8.kubernetes.api.model.Quantity(quantity)))
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        return io.esmetrics.adapter.externalmetrics.CanonicalQuantity.format(total);
    }

    private double stalledGauge(String metric) {
        return registry.get("esmetrics.ingest.stalled").tag("metric", metric).gauge().value();
    }

    private void declareResourceMetric() {
        ElasticsearchMetric resource = new ElasticsearchMetric();
        resource.setMetadata(new ObjectMetaBuilder().withNamespace(team).withName("chat-requests").build());
        resource.setSpec(new MetricDefinition(INDEX_PREFIX + "*", null, null, null, Map.of("event.dataset", List.of("ai.request")),
                Aggregation.COUNT, null, "1m", null, null, null, "30s", null, null));
        kubernetes.resources(ElasticsearchMetric.class).inNamespace(team).resource(resource).create();
    }

    private void awaitCondition(String type, String status, String reason) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(condition(type))
                .get().extracting(Condition::getStatus, Condition::getReason).containsExactly(status, reason));
    }

    private Optional<Condition> condition(String type) {
        ElasticsearchMetric resource = kubernetes.resources(ElasticsearchMetric.class).inNamespace(team).withName("chat-requests").get();
        if (resource == null || resource.getStatus() == null || resource.getStatus().conditions() == null) {
            return Optional.empty();
        }
        return resource.getStatus().conditions().stream().filter(c -> type.equals(c.getType())).findFirst();
    }
}
