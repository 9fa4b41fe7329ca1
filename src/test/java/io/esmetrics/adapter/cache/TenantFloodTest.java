package io.esmetrics.adapter.cache;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.esmetrics.adapter.provider.DeclaredMetrics;
import io.esmetrics.adapter.provider.ExternalMetricsProvider;
import io.esmetrics.adapter.provider.MetricQuery;
import io.esmetrics.adapter.provider.MetricValue;
import io.esmetrics.adapter.provider.MetricsBackend;
import io.esmetrics.adapter.selector.LabelSelector;
import io.esmetrics.adapter.testsupport.AdjustableClock;
import io.esmetrics.adapter.testsupport.ElasticsearchProxy;
import io.esmetrics.adapter.testsupport.Events;
import io.esmetrics.adapter.testsupport.ProxiedElasticsearchTestResource;
import io.esmetrics.adapter.testsupport.SharedElasticsearch;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One tenant cannot exhaust the adapter or Elasticsearch: distinct selectors of a metric whose series add up are
 * picked from one answer per namespace (no search each), what is held in memory is bounded, and the searches that
 * misses still cause are rate-limited per namespace with 429. Searches are counted at a proxy in front of a real
 * Elasticsearch; the clock stands still, so no token refills unless a test moves it.
 */
@QuarkusTest
@TestProfile(TenantFloodTest.SmallBounds.class)
@WithTestResource(ProxiedElasticsearchTestResource.class)
class TenantFloodTest {

    private static final String API = "/apis/external.metrics.k8s.io/v1beta1/namespaces/";
    private static final int BURST = 40;
    private static final int NAMESPACE_BOUND = 20;

    /** Only requests search (no background refresh); a bound and a burst small enough to reach in a test. */
    public static final class SmallBounds implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "adapter.cache.refresh-interval", "1h",
                    "adapter.elasticsearch.ingest-lag-interval", "1h",
                    "adapter.cache.max-series-per-namespace", String.valueOf(NAMESPACE_BOUND),
                    "adapter.cache.miss-limit.burst", String.valueOf(BURST),
                    "adapter.cache.miss-limit.per-second", "0.5",
                    "adapter.rules.files", "src/test/resources/test-metrics.yaml");
        }
    }

    private final ElasticsearchProxy proxy = ProxiedElasticsearchTestResource.proxy();
    private final AdjustableClock clock = AdjustableClock.ofRunningAdapter();

    @Inject
    ExternalMetricsProvider cached;

    @Inject
    MetricsBackend backend;

    @Inject
    DeclaredMetrics declared;

    @Inject
    SeriesCache cache;

    @Inject
    MeterRegistry registry;

    @AfterEach
    void clockRunsAgain() {
        clock.followSystem();
    }

    @Test
    void twentyThousandDistinctSelectorsCostOneSearchAndEachIsAnsweredAsItsOwnSearchWould() throws Exception {
        String team = team();
        Instant at = Instant.now().minusSeconds(10);
        Events events = Events.create();
        for (int service = 0; service < 10; service++) {
            events.requests(6 * (service + 1), at, team, "svc-" + service, service % 3 == 0 ? 500 : 200);
        }
        events.indexInto(SharedElasticsearch.node());
        clock.freeze();

        ExecutorService tenant = Executors.newFixedThreadPool(16);
        try {
            List<Future<List<MetricValue>>> answers = IntStream.range(0, 20_000)
                    .mapToObj(i -> tenant.submit(() -> cached.values(team, "request_rate", selector(i))))
                    .toList();
            for (Future<List<MetricValue>> answer : answers) {
                answer.get();
            }
            assertThat(proxy.searchesMentioning(team)).isEqualTo(1);
            for (int i = 0; i < answers.size(); i++) {
                if (i % 1_000 == 0 || i < 12) {
                    assertThat(seen(answers.get(i).get())).as("selector %s", selector(i))
                            .isEqualTo(seen(backend.answer(declared.resolve(team, "request_rate", selector(i)))));
                }
            }
        } finally {
            tenant.shutdownNow();
        }

        assertThat(cache.find(new MetricQuery(team, "request_rate", LabelSelector.everything())))
                .as("the one answer held: the namespace's ten series").get().extracting(CachedSeries::weight).isEqualTo(10);
        assertThat(cache.heldIn(team)).as("nothing held per selector").isZero();
        assertThat(cached.values(team, "request_rate", LabelSelector.parse("service=svc-4"))).singleElement()
                .satisfies(value -> assertThat(value.value()).isEqualByComparingTo(new BigDecimal("0.5")));
        assertThat(cached.values(team, "request_rate", LabelSelector.parse("service=probe-7"))).singleElement()
                .satisfies(value -> {
                    assertThat(value.labels()).isEqualTo(Map.of("service", "probe-7"));
                    assertThat(value.value()).isEqualByComparingTo(BigDecimal.ZERO);
                });
        // Over HTTP too, from memory: no search at all.
        long searches = proxy.searchesMentioning(team);
        for (int i = 0; i < 200; i++) {
            given().queryParam("labelSelector", selector(i).toString()).get(API + team + "/request_rate")
                    .then().statusCode(200);
        }
        assertThat(proxy.searchesMentioning(team)).isEqualTo(searches);
    }

    /** A metric that does not add up (a maximum) is searched per selector: the namespace bound then holds. */
    @Test
    void aNamespaceOverItsBoundIsStillAnsweredButHoldsNoMore() {
        String team = team();
        Instant at = Instant.now().minusSeconds(10);
        Events events = Events.create();
        for (int service = 0; service < 30; service++) {
            events.queueSample(at, team, "svc-" + service, "q", service);
        }
        events.indexInto(SharedElasticsearch.node());
        clock.freeze();
        double refusedBefore = refused("namespace");

        for (int service = 0; service < 30; service++) {
            assertThat(value(team, "queue_length_max", "service=svc-" + service)).isEqualTo(String.valueOf(service));
        }

        assertThat(proxy.searchesMentioning(team)).isEqualTo(30);
        assertThat(cache.heldIn(team)).isEqualTo(NAMESPACE_BOUND);
        assertThat(refused("namespace") - refusedBefore).isEqualTo(30 - NAMESPACE_BOUND);
        // The held answers are served from memory; the others are searched for again, within the miss limit.
        for (int service = 0; service < NAMESPACE_BOUND; service++) {
            assertThat(value(team, "queue_length_max", "service=svc-" + service)).isEqualTo(String.valueOf(service));
        }
        assertThat(proxy.searchesMentioning(team)).isEqualTo(30);
        assertThat(value(team, "queue_length_max", "service=svc-29")).isEqualTo("29");
        assertThat(proxy.searchesMentioning(team)).isEqualTo(31);
        assertThat(cache.heldIn(team)).isEqualTo(NAMESPACE_BOUND);
    }

    @Test
    void aNamespaceOverItsMissLimitGets429WithRetryAfterWhileOthersAreServed() {
        String flooding = team();
        String quiet = team();
        Instant at = Instant.now().minusSeconds(10);
        Events.create().queueSample(at, flooding, "svc", "q", 3).queueSample(at, quiet, "svc", "q", 4)
                .indexInto(SharedElasticsearch.node());
        clock.freeze();

        for (int i = 0; i < BURST; i++) {
            assertThat(value(flooding, "queue_length_max", "service=probe-" + i)).isEqualTo("0");
        }
        long searches = proxy.searchesMentioning(flooding);

        given().queryParam("labelSelector", "service=probe-" + BURST).get(API + flooding + "/queue_length_max").then()
                .statusCode(429)
                .header("Retry-After", "2")
                .body("kind", equalTo("Status"))
                .body("reason", equalTo("TooManyRequests"))
                .body("code", equalTo(429))
                .body("details.retryAfterSeconds", equalTo(2))
                .body("message", containsString("namespace " + flooding));
        assertThat(proxy.searchesMentioning(flooding)).isEqualTo(searches);
        assertThat(registry.counter("esmetrics.cache.rate.limited", "metric", "queue_length_max").count()).isPositive();
        // A namespace-wide answer the bounds have room for, refused by the miss limit before its first search: not
        // kept, or the background refresh (which the miss limit does not bound) would search it for free.
        given().queryParam("labelSelector", "service=svc").get(API + flooding + "/request_count").then().statusCode(429);
        assertThat(cache.find(new MetricQuery(flooding, "request_count", LabelSelector.everything()))).isEmpty();

        // What the flooding namespace holds is still served, and another namespace is not affected at all.
        assertThat(value(flooding, "queue_length_max", "service=probe-0")).isEqualTo("0");
        assertThat(value(quiet, "queue_length_max", "service=svc")).isEqualTo("4");

        clock.advance(Duration.ofSeconds(2));
        assertThat(value(flooding, "queue_length_max", "service=svc")).isEqualTo("3");
    }

    @Test
    void explainingInANamespaceOverItsMissLimitGets429BeforeAnythingReachesElasticsearch() {
        String flooding = team();
        Events.create().queueSample(Instant.now().minusSeconds(10), flooding, "svc", "q", 3).indexInto(SharedElasticsearch.node());
        clock.freeze();
        for (int i = 0; i < BURST; i++) {
            assertThat(value(flooding, "queue_length_max", "service=probe-" + i)).isEqualTo("0");
        }
        long requests = proxy.requests();

        // A metric nobody asked for yet: its fields and newest event would be looked up.
        given().queryParam("explain", "true").queryParam("labelSelector", "service=svc")
                .get(API + flooding + "/dynamic_queue_length").then()
                .statusCode(429)
                .header("Retry-After", "2")
                .body("reason", equalTo("TooManyRequests"))
                .body("message", containsString("namespace " + flooding));

        assertThat(proxy.requests()).as("no _field_caps, no look-up, no search").isEqualTo(requests);
    }

    private double refused(String bound) {
        return registry.counter("esmetrics.cache.refused", "bound", bound).count();
    }

    private static String value(String namespace, String metric, String selector) {
        Response response = given().queryParam("labelSelector", selector).get(API + namespace + "/" + metric);
        return response.statusCode() == 200 ? response.path("items[0].value") : "HTTP " + response.statusCode();
    }

    /** Mostly selectors that match nothing, some that match a service, and a few other shapes. */
    private static LabelSelector selector(int i) {
        return LabelSelector.parse(switch (i % 10) {
            case 0 -> "service=svc-" + (i / 10 % 12);
            case 1 -> "service!=probe-" + i;
            case 2 -> "service in (svc-1,probe-" + i + "),status_code=200";
            case 3 -> "service notin (svc-2,probe-" + i + ")";
            default -> "service=probe-" + i;
        });
    }

    /** A value as the HPA reads it: the timestamp differs between two searches, nothing else may. */
    private record Seen(Map<String, String> labels, BigDecimal value) {
    }

    private static List<Seen> seen(List<MetricValue> values) {
        return values.stream().map(value -> new Seen(value.labels(), value.value().stripTrailingZeros()))
                .sorted(java.util.Comparator.comparing(Object::toString)).toList();
    }

    private static String team() {
        return "flood-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
