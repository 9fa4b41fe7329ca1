package io.esmetrics.adapter.cache;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.esmetrics.adapter.rules.KubernetesDuration;
import io.esmetrics.adapter.testsupport.ElasticsearchTestResource;
import io.esmetrics.adapter.testsupport.Events;
import io.esmetrics.adapter.testsupport.SharedElasticsearch;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The background refresh moves to end just before the reads (docs/design.md, "The refresh ends just before the HPA
 * reads"). A reader that comes back every interval at the worst phase for a fixed-rate refresh (just before it, so the
 * value it reads is almost one interval old) reads values younger than half an interval once the refresh has learned
 * its phase. Real time: the refresher's schedule is what is tested, so the reads are paced like an HPA's.
 */
@QuarkusTest
@TestProfile(RefreshBeforeReadsTest.ThreeSecondRefresh.class)
@WithTestResource(ElasticsearchTestResource.class)
class RefreshBeforeReadsTest {

    public static final class ThreeSecondRefresh implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "adapter.cache.refresh-interval", INTERVAL.toMillis() + "ms",
                    "adapter.cache.min-query-interval", "100ms",
                    "adapter.cache.max-value-age", "1m",
                    "adapter.elasticsearch.ingest-lag-interval", "1h");
        }
    }

    private static final Duration INTERVAL = Duration.ofSeconds(3);
    /** How long before the fixed-rate refresh the reader reads: long enough for any refresh here to have ended. */
    private static final Duration BEFORE_THE_FIXED_REFRESH = Duration.ofMillis(400);
    private static final String API = "/apis/external.metrics.k8s.io/v1beta1/namespaces/";

    @Inject
    MeterRegistry registry;

    @Test
    void aReaderAtASteadyPhaseReadsValuesRefreshedJustBeforeIt() throws InterruptedException {
        String namespace = "phase-" + UUID.randomUUID().toString().substring(0, 8);
        Events.create().queueSample(Instant.now().minusSeconds(5), namespace, "chat", "q1", 7)
                .indexInto(SharedElasticsearch.node());
        read(namespace);
        Instant fixedRefresh = nextRefreshEnd();

        List<Duration> ages = new ArrayList<>();
        for (int period = 1; period <= 6; period++) {
            // Paced like the HPA controller: one read per interval, at the same phase.
            sleepUntil(fixedRefresh.plus(INTERVAL.multipliedBy(period)).minus(BEFORE_THE_FIXED_REFRESH));
            read(namespace);
            ages.add(ageInMemory(namespace));
        }

        assertThat(ages.subList(3, 6)).as("ages at reads %s, the first three while the phase is learned", ages)
                .allSatisfy(age -> assertThat(age).isLessThan(INTERVAL.dividedBy(2)));
    }

    private static void read(String namespace) {
        given().queryParam("labelSelector", "service=chat").get(API + namespace + "/queue_length").then().statusCode(200);
    }

    /** How old the value the last read got is, as explain tells it. */
    private static Duration ageInMemory(String namespace) {
        String age = given().queryParam("labelSelector", "service=chat").queryParam("explain", "true")
                .get(API + namespace + "/queue_length").then().statusCode(200).extract().path("answer.age");
        return KubernetesDuration.parse(age);
    }

    /** When the next background refresh ends, as the refresh timer counts it. */
    private Instant nextRefreshEnd() {
        Timer refreshes = registry.get("esmetrics.cache.refresh").timer();
        long before = refreshes.count();
        await().atMost(INTERVAL.multipliedBy(3)).pollInterval(Duration.ofMillis(10)).until(() -> refreshes.count() > before);
        return Instant.now();
    }

    private static void sleepUntil(Instant at) throws InterruptedException {
        long millis = Duration.between(Instant.now(), at).toMillis();
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }
}
