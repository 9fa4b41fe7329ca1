package io.esmetrics.adapter.cache;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.esmetrics.adapter.crd.CustomResourcesEnabled;
import io.esmetrics.adapter.crd.ElasticsearchMetric;
import io.esmetrics.adapter.rules.Aggregation;
import io.esmetrics.adapter.rules.MetricDefinition;
import io.esmetrics.adapter.testsupport.AdjustableClock;
import io.esmetrics.adapter.testsupport.ElasticsearchTestResource;
import io.esmetrics.adapter.testsupport.Events;
import io.esmetrics.adapter.testsupport.SharedElasticsearch;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A pipeline that falls behind is not less load (docs/design.md, "Windows end at the watermark"). Against the real
 * Elasticsearch, with time moved by the test and each background refresh run by it: a steady 10 requests per
 * second, written as a pipeline would deliver them (each event stamped with its arrival, as the shipped final
 * pipeline does), that stops, then delivers 20 s late, then 45 s late, then catches up, then stops for good. Every
 * value served stays within 5% of the true load until the stall semantics answer 503: on the shared refresh and on
 * first contact (a search of its own for one namespace), for rate, count and sum, for definitions files and an
 * ElasticsearchMetric. With windows that end a
 * fixed time before now, the same run reads 58% of the load 30 s into the first stop.
 */
@QuarkusTest
@TestProfile(LaggingPipelineTest.LagMetrics.class)
@WithKubernetesTestServer(crud = true, setup = CustomResourcesEnabled.CrdInstalled.class)
@WithTestResource(ElasticsearchTestResource.class)
class LaggingPipelineTest {

    /** No refresh but those the test runs, and the default staleness budget (2m). */
    public static final class LagMetrics extends CustomResourcesEnabled {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new java.util.HashMap<>(super.getConfigOverrides());
            overrides.put("adapter.rules.files", overrides.get("adapter.rules.files") + ",src/test/resources/LaggingPipelineTest/metrics.yaml");
            overrides.put("adapter.cache.refresh-interval", "1h");
            return overrides;
        }
    }

    private static final String API = "/apis/external.metrics.k8s.io/v1beta1/namespaces/";
    private static final Duration STEP = Duration.ofSeconds(5);
    private static final Duration EVERY = Duration.ofMillis(100);
    private static final Duration DURATION = Duration.ofMillis(1);
    /** 10 requests a second of 1 ms each, over the 1m windows: the true value of each metric. */
    private static final Map<String, BigDecimal> TRUE_VALUES = Map.of(
            "rate", BigDecimal.TEN, "count", BigDecimal.valueOf(600), "sum", BigDecimal.valueOf(600_000_000L));
    private static final BigDecimal TOLERANCE = new BigDecimal("0.05");

    private final String team = "lag-" + UUID.randomUUID().toString().substring(0, 8);

    @Inject
    AdjustableClock clock;

    @Inject
    SeriesRefresher refresher;

    @Inject
    KubernetesClient kubernetes;

    @Test
    void aPipelineThatLagsDelaysValuesButNeverShrinksThemUntilItsStallIsAnError() {
        Instant t0 = clock.freeze();
        Pipeline pipeline = new Pipeline("lag-events-", team, t0.minus(Duration.ofMinutes(3)));
        pipeline.deliverUpTo(t0, t0);
        declareResourceMetric();
        Map<String, String> metrics = new LinkedHashMap<>();
        metrics.put("lag_rate", "rate");
        metrics.put("lag_count", "count");
        metrics.put("lag_duration_sum", "sum");
        metrics.put("chat-requests", "count");
        List<String> served = new ArrayList<>();
        String firstContact = "first-" + UUID.randomUUID().toString().substring(0, 8);

        Instant end = t0.plus(Duration.ofMinutes(7));
        boolean allUnavailable = false;
        // Every 5 s while the pipeline lags; once it has stopped for good, every 15 s until its staleness budget ends.
        for (Instant now = t0; now.isBefore(end) && !allUnavailable;
                now = now.plus(now.isBefore(t0.plusSeconds(180)) ? STEP : STEP.multipliedBy(3))) {
            clock.set(now);
            Duration sinceT0 = Duration.between(t0, now);
            if (sinceT0.compareTo(Duration.ofSeconds(30)) <= 0) {
                pipeline.deliverUpTo(t0, now); // stopped: nothing new after t0
            } else if (sinceT0.compareTo(Duration.ofSeconds(90)) <= 0) {
                pipeline.deliverUpTo(now.minusSeconds(20), now);
            } else if (sinceT0.compareTo(Duration.ofSeconds(150)) <= 0) {
                pipeline.deliverUpTo(now.minusSeconds(45), now);
            } else if (sinceT0.compareTo(Duration.ofSeconds(180)) <= 0) {
                pipeline.deliverUpTo(now, now);
            } // then stopped for good
            refresher.refresh();
            if (sinceT0.equals(Duration.ofSeconds(30))) {
                assertExplainedWindowEndsBeforeTheWatermark(t0);
            }

            int unavailable = 0;
            int asked = 0;
            for (var metric : metrics.entrySet()) {
                BigDecimal truth = TRUE_VALUES.get(metric.getValue());
                asked++;
                Response response = given().get(API + team + "/" + metric.getKey());
                if (response.statusCode() == 503) {
                    unavailable++;
                } else {
                    assertThat(response.statusCode()).as("%s at t0+%ss: %s", metric.getKey(), sinceT0.toSeconds(),
                            response.asString()).isEqualTo(200);
                    served.add(metric.getKey() + " at t0+" + sinceT0.toSeconds() + "s");
                    assertWithinTolerance(metric.getKey(), sinceT0, total(response, "items.value"), truth);
                }
                if (!metric.getKey().startsWith("lag_")) {
                    continue;
                }
                // First contact: explain of a namespace nobody asks computes the answer as a first request would
                // (the same search path), without keeping it, so that every step is a first contact again.
                String name = metric.getKey() + "_cluster";
                asked++;
                Response explained = given().queryParam("explain", "true").get(API + firstContact + "/" + name);
                assertThat(explained.statusCode()).as(explained.asString()).isEqualTo(200);
                if (explained.<Integer>path("answer.code") == 503) {
                    unavailable++;
                    continue;
                }
                assertThat(explained.<String>path("answer.from")).isEqualTo("search");
                assertWithinTolerance(name, sinceT0, total(explained, "answer.items.value"), truth);
            }
            allUnavailable = unavailable == asked;
        }

        assertThat(allUnavailable).as("the pipeline stopped for good at t0+180s: its stall is an error, after %s", served)
                .isTrue();
        assertThat(served).as("values were served through every phase").anyMatch(line -> line.contains("at t0+30s"))
                .anyMatch(line -> line.contains("at t0+120s")).anyMatch(line -> line.contains("at t0+240s"));
    }

    @Test
    void aProducerWhoseClockRunsAheadHidesNeitherTheStallNorTheLoad() {
        Instant t0 = clock.freeze();
        String ahead = team + "-ahead";
        Pipeline pipeline = new Pipeline("ahead-events-", team, t0.minus(Duration.ofMinutes(3)));
        // Delivered with the team's events: another namespace's, stamped 3 minutes after they happened.
        Events.create().requestStream(t0.minus(Duration.ofMinutes(3)).plusSeconds(180), t0.plusSeconds(180), EVERY, ahead,
                "chat", 200, DURATION).arrivedAt(t0).indexInto(SharedElasticsearch.node(), "ahead-events-");
        pipeline.deliverUpTo(t0, t0);

        Instant servedUntil = null;
        Instant unavailableFrom = null;
        for (Instant now = t0; unavailableFrom == null && now.isBefore(t0.plus(Duration.ofMinutes(5))); now = now.plus(STEP)) {
            clock.set(now);
            refresher.refresh();
            Response response = given().get(API + team + "/ahead_rate");
            if (response.statusCode() == 503) {
                unavailableFrom = now;
                assertThat(response.asString()).contains("looks stalled since " + t0);
                continue;
            }
            assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
            assertWithinTolerance("ahead_rate", Duration.between(t0, now), total(response), BigDecimal.TEN);
            servedUntil = now;
        }

        // Stalled after 30 s of no arrival, noticed within one 10 s look-up; the last whole value for its 2m budget.
        assertThat(unavailableFrom).as("the stall is noticed although event times look current").isNotNull()
                .isBeforeOrEqualTo(t0.plus(Duration.ofSeconds(30 + 10 + 120 + 5)));
        assertThat(servedUntil).isAfterOrEqualTo(t0.plus(Duration.ofSeconds(30)));
    }

    @Test
    void aNamespaceWhoseSendersStoppedReadsItsRealZeroWhileThePipelineDelivers() {
        Instant t0 = clock.freeze();
        String quiet = team + "-quiet";
        Events.create().requestStream(t0.minus(Duration.ofMinutes(4)), t0.minus(Duration.ofMinutes(2)), EVERY, quiet, "chat",
                200, DURATION).arrivedAt(t0.minus(Duration.ofMinutes(2))).indexInto(SharedElasticsearch.node(), "quietteam-events-");
        new Pipeline("quietteam-events-", team, t0.minus(Duration.ofMinutes(3))).deliverUpTo(t0, t0);

        given().queryParam("labelSelector", "service=chat").get(API + quiet + "/quiet_team_rate").then()
                .statusCode(200)
                .body("items[0].value", equalTo("0"))
                .body("items[0].metricLabels.service", equalTo("chat"));
        given().get(API + team + "/quiet_team_rate").then().statusCode(200).body("items[0].value", equalTo("10"));
    }

    /** 30 s into the stop, explain shows the window the value reads: up to the newest event delivered. */
    private void assertExplainedWindowEndsBeforeTheWatermark(Instant t0) {
        Instant watermark = t0.minus(EVERY);
        given().queryParam("explain", "true").get(API + team + "/lag_rate").then()
                .statusCode(200)
                .body("backend.ingest.watermark", equalTo(watermark.toString()))
                .body("backend.ingest.watermarkLag", org.hamcrest.Matchers.notNullValue())
                .body("backend.ingest.window.to", equalTo(watermark.plusMillis(1).toString()))
                .body("backend.ingest.window.from", equalTo(watermark.plusMillis(1).minusSeconds(60).toString()))
                .body("backend.ingest.window.endsAt", org.hamcrest.Matchers.containsString("at the pipeline's watermark"));
    }

    /**
     * A producer sending 10 requests a second from {@code start}, and the pipeline delivering them: every event up to
     * some event time is written, stamped with the moment it arrived. Nothing is ever delivered twice.
     */
    private static final class Pipeline {

        private final String indexPrefix;
        private final String namespace;
        private Instant delivered;

        Pipeline(String indexPrefix, String namespace, Instant start) {
            this.indexPrefix = indexPrefix;
            this.namespace = namespace;
            this.delivered = start;
        }

        /** Delivers, at {@code arrival}, every event that happened before {@code upTo} and was not delivered yet. */
        void deliverUpTo(Instant upTo, Instant arrival) {
            if (!upTo.isAfter(delivered)) {
                return;
            }
            Events.create().requestStream(delivered, upTo, EVERY, namespace, "chat", 200, DURATION).arrivedAt(arrival)
                    .indexInto(SharedElasticsearch.node(), indexPrefix);
            delivered = upTo;
        }
    }

    private static void assertWithinTolerance(String metric, Duration sinceT0, BigDecimal value, BigDecimal truth) {
        BigDecimal error = value.subtract(truth).abs().divide(truth, 6, java.math.RoundingMode.HALF_UP);
        assertThat(error).as("%s at t0+%ss is %s, the true value %s: a lagging pipeline must not read as less load", metric,
                sinceT0.toSeconds(), value, truth).isLessThanOrEqualTo(TOLERANCE);
    }

    /** The sum over all items, as the HPA computes it. */
    private static BigDecimal total(Response response) {
        return total(response, "items.value");
    }

    private static BigDecimal total(Response response, String valuesPath) {
        List<String> values = response.path(valuesPath);
        return values.stream().map(value -> Quantity.getAmountInBytes(new Quantity(value))).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    private void declareResourceMetric() {
        ElasticsearchMetric resource = new ElasticsearchMetric();
        resource.setMetadata(new ObjectMetaBuilder().withNamespace(team).withName("chat-requests").build());
        resource.setSpec(new MetricDefinition("lag-events-*", null, null, null, Map.of("event.dataset", List.of("ai.request")),
                Aggregation.COUNT, null, "1m", null, null, null, "1m", null, null));
        kubernetes.resources(ElasticsearchMetric.class).inNamespace(team).resource(resource).create();
        await().atMost(Duration.ofSeconds(20)).until(() -> given().get(API + team + "/chat-requests").statusCode() != 404);
    }
}
