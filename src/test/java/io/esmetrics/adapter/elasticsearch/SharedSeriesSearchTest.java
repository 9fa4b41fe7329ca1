package io.esmetrics.adapter.elasticsearch;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.esmetrics.adapter.provider.DeclaredMetrics;
import io.esmetrics.adapter.provider.LabelNotAllowedException;
import io.esmetrics.adapter.provider.MetricAnswer;
import io.esmetrics.adapter.provider.MetricNotFoundException;
import io.esmetrics.adapter.provider.MetricQuery;
import io.esmetrics.adapter.provider.MetricValue;
import io.esmetrics.adapter.provider.MetricsBackend;
import io.esmetrics.adapter.provider.TooManySeriesException;
import io.esmetrics.adapter.selector.LabelSelector;
import io.esmetrics.adapter.testsupport.AdjustableClock;
import io.esmetrics.adapter.testsupport.ElasticsearchProxy;
import io.esmetrics.adapter.testsupport.Events;
import io.esmetrics.adapter.testsupport.ProxiedElasticsearchTestResource;
import io.esmetrics.adapter.testsupport.SharedElasticsearch;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The batched path against the real Elasticsearch, counting at a proxy: many selectors of one metric in one
 * namespace cost one search, and each answer is exactly what that selector's own search answers.
 */
@QuarkusTest
@Tag("engines")
@TestProfile(SharedSeriesSearchTest.FewSeriesAllowed.class)
@WithTestResource(ProxiedElasticsearchTestResource.class)
class SharedSeriesSearchTest {

    /**
     * How old the tests' events are at the adapter's stopped clock: inside every window (which ends ingestLag, 5s,
     * before now), and young enough that these being the indices' newest events keeps request_rate's pipeline current
     * (stalledAfter 30s). The clock stands still during a test, so that comparing a hundred answers with their own
     * searches on a slow machine cannot age the events into a stall.
     */
    private static final Duration EVENT_AGE = Duration.ofSeconds(10);

    /** At most 8 series per answer, so that a namespace can have too many; no background searches. */
    public static final class FewSeriesAllowed implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "adapter.elasticsearch.max-series", "8",
                    "adapter.cache.refresh-interval", "1h",
                    "adapter.elasticsearch.ingest-lag-interval", "1h",
                    "adapter.rules.files", "src/test/resources/test-metrics.yaml,src/test/resources/fault-metrics.yaml");
        }
    }

    /** A value as the HPA reads it: the timestamp differs between two searches, nothing else may. */
    private record Seen(Map<String, String> labels, BigDecimal value, Optional<Duration> window) {
        static List<Seen> of(List<MetricValue> values) {
            return values.stream().map(value -> new Seen(value.labels(), value.value(), value.window())).toList();
        }
    }

    private final ElasticsearchProxy proxy = ProxiedElasticsearchTestResource.proxy();

    @Inject
    MetricsBackend backend;

    @Inject
    AdjustableClock clock;

    @Inject
    DeclaredMetrics declared;

    /** When this test's events happened: {@link #EVENT_AGE} before the adapter's clock, stopped for the test. */
    private Instant at;

    @BeforeEach
    void stopTheClock() {
        at = clock.freeze().minus(EVENT_AGE);
    }

    /** The backend's answers to queries by name, as the cache asks them (with their rules resolved). */
    private List<MetricAnswer> answers(List<MetricQuery> queries) {
        return declared.answer(queries, backend);
    }

    @Test
    void answersEverySelectorOfAMetricFromOneSharedSearchExactlyAsItsOwnSearchWould() {
        String team = team();
        Events.create()
                .queueSample(at, team, "svc-1", "q1", 3).queueSample(at, team, "svc-1", "q2", 4)
                .queueSample(at, team, "svc-2", "q1", 5).queueSample(at, team, "svc-3", "q1", 6)
                .queueSample(at, team, "svc-4", null, 2)
                .requests(6, at, team, "svc-1", 200).requests(3, at, team, "svc-1", 500)
                .requests(12, at, team, "svc-2", 200).requests(2, at, team, "svc-3", 503)
                .indexInto(SharedElasticsearch.node());
        List<MetricQuery> queries = List.of(
                query(team, "queue_length", "service=svc-1"),
                query(team, "queue_length", "service in (svc-2,svc-3)"),
                query(team, "queue_length", "service!=svc-1"),
                query(team, "queue_length", "service notin (svc-1,svc-2),queue"),
                query(team, "queue_length", "!queue"),
                query(team, "queue_length", "service=nobody"),
                query(team, "request_rate", "status_code=500"),
                query(team, "request_rate", "service=svc-1,status_code in (200,503)"),
                query(team, "request_rate", "status_code!=200"),
                query(team, "request_rate", "service notin (svc-1)"),
                query(team, "request_rate", "!status_code"),
                query(team, "request_rate", "service=svc-9,status_code=404"),
                query(team, "queue_length_max", "service=svc-1"),
                query(team, "queue_length_max", "service=svc-2"));

        List<MetricAnswer> answers = answers(queries);

        // queue_length and request_rate: one search each; max does not split into series, so one per selector.
        assertThat(proxy.searchBodiesMentioning(team)).isEqualTo(1 + 1 + 2);
        assertThat(proxy.searchesMentioning(team)).isEqualTo(1);
        assertAnsweredAsOwnSearchesAnswer(queries, answers);
        assertThat(numbers(answers.get(0))).containsExactlyInAnyOrder("3", "4");
        assertThat(answers.get(4).values()).singleElement().satisfies(value -> {
            assertThat(value.labels()).isEqualTo(Map.of("service", "svc-4"));
            assertThat(value.value()).isEqualByComparingTo("2");
        });
        assertThat(answers.get(6).values()).singleElement().satisfies(value ->
                assertThat(value.labels()).isEqualTo(Map.of("service", "svc-1", "status_code", "500")));
        assertThat(answers.get(11).values()).singleElement().satisfies(value -> {
            assertThat(value.labels()).isEqualTo(Map.of("service", "svc-9", "status_code", "404"));
            assertThat(value.value()).isEqualByComparingTo("0");
        });
    }

    /** The aggregator probes discovery, the kubelet the probes: none of them may depend on Elasticsearch. */
    @Test
    void answersProbesDiscoveryAndOpenApiWithoutAskingElasticsearch() {
        long before = proxy.requests();

        for (String path : List.of("/livez", "/readyz", "/apis", "/apis/external.metrics.k8s.io",
                "/apis/external.metrics.k8s.io/v1beta1", "/openapi/v2", "/openapi/v3")) {
            given().get(path).then().statusCode(200);
        }

        assertThat(proxy.requests()).isEqualTo(before);
    }

    /** Queries of several namespaces in one batch: one search per configured metric for both, each its own answers. */
    @Test
    void keepsTheNamespacesOfOneBatchApart() {
        String first = team();
        String second = team();
        Events.create()
                .queueSample(at, first, "svc-1", "q1", 3).queueSample(at, first, "svc-2", "q1", 4)
                .queueSample(at, second, "svc-1", "q1", 30).queueSample(at, second, "svc-2", "q1", 40)
                .requests(6, at, first, "svc-1", 200).requests(12, at, second, "svc-1", 200)
                .indexInto(SharedElasticsearch.node());
        List<MetricQuery> queries = List.of(
                query(first, "queue_length", "service=svc-1"),
                query(second, "queue_length", "service=svc-1"),
                query(first, "queue_length", "service=svc-2"),
                query(second, "queue_length", "service=svc-2"),
                query(second, "request_rate", "service=svc-1"),
                query(first, "request_rate", "service=svc-1"),
                query(first, "request_rate", ""));

        List<MetricAnswer> answers = answers(queries);

        assertThat(proxy.searchBodiesMentioning(first)).as("one search per metric, across the namespaces").isEqualTo(2);
        assertThat(proxy.searchBodiesMentioning(second)).isEqualTo(2);
        assertAnsweredAsOwnSearchesAnswer(queries, answers);
        assertThat(List.of(answers.get(0), answers.get(1), answers.get(2), answers.get(3), answers.get(4), answers.get(5)))
                .extracting(SharedSeriesSearchTest::numbers)
                .containsExactly(List.of("3"), List.of("30"), List.of("4"), List.of("40"), List.of("0.2"), List.of("0.1"));
    }

    /** A value no long can equal is no match on the shared path, in memory, exactly as in the search of its own. */
    @Test
    void answersValuesThatCannotBeOfTheFieldsTypeAlikeOnBothPaths() {
        String team = team();
        Events.create().requests(6, at, team, "svc-1", 200).requests(3, at, team, "svc-1", 500).requests(2, at, team, "svc-2", 503)
                .indexInto(SharedElasticsearch.node());
        List<MetricQuery> queries = List.of(
                query(team, "request_rate", "status_code=svc-a"),
                query(team, "request_rate", "status_code!=svc-a"),
                query(team, "request_rate", "status_code="),
                query(team, "request_rate", "status_code!="),
                query(team, "request_rate", "status_code=99999999999999999999"),
                query(team, "request_rate", "status_code in (500,svc-a)"),
                query(team, "request_rate", "status_code notin (svc-a,500)"),
                query(team, "request_rate", "status_code=5e2,service=svc-1"),
                query(team, "request_rate", "status_code=500.0"),
                query(team, "request_rate", "status_code=500.5"));

        List<MetricAnswer> answers = answers(queries);

        assertThat(proxy.searchBodiesMentioning(team)).as("one shared search").isEqualTo(1);
        assertAnsweredAsOwnSearchesAnswer(queries, answers);
        assertThat(numbers(answers.get(0))).containsExactly("0");
        assertThat(numbers(answers.get(5))).containsExactly("0.05");
    }

    @Test
    void failsOnlyTheQueriesWhoseMetricOrLabelIsUnknownNotTheirGroup() {
        String team = team();
        Events.create().queueSample(at, team, "svc-1", "q1", 3).indexInto(SharedElasticsearch.node());
        List<MetricQuery> queries = List.of(
                query(team, "queue_length", "service=svc-1"),
                query(team, "queue_length", "pod=chat-0"),
                query(team, "no_such_metric", "service=svc-1"),
                query(team, "queue_length", "queue=q1"));

        List<MetricAnswer> answers = answers(queries);

        assertThat(numbers(answers.get(0))).containsExactly("3");
        assertThat(answers.get(1).failure()).containsInstanceOf(LabelNotAllowedException.class);
        assertThat(answers.get(2).failure()).containsInstanceOf(MetricNotFoundException.class);
        assertThat(numbers(answers.get(3))).containsExactly("3");
        assertThat(proxy.searchBodiesMentioning(team)).isEqualTo(1);
    }

    @Test
    void fallsBackToOneSearchPerSelectorWhenTheNamespaceHasTooManySeries() {
        String team = team();
        Events events = Events.create();
        IntStream.range(0, 10).forEach(i -> events.queueSample(at, team, "svc-" + i, "q1", i));
        events.indexInto(SharedElasticsearch.node());
        List<MetricQuery> queries = List.of(
                query(team, "queue_length", "service=svc-7"),
                query(team, "queue_length", "service in (svc-1,svc-2)"),
                query(team, "queue_length", "service=nobody"),
                query(team, "queue_length", "service!=svc-0"));

        List<MetricAnswer> answers = answers(queries);

        // The shared search finds 10 series, more than the 8 allowed; then each selector searches on its own.
        assertThat(proxy.searchBodiesMentioning(team)).isEqualTo(1 + 4);
        assertThat(proxy.searchesMentioning(team)).isEqualTo(2);
        assertAnsweredAsOwnSearchesAnswer(queries.subList(0, 3), answers.subList(0, 3));
        assertThat(numbers(answers.get(0))).containsExactly("7");
        assertThat(answers.get(3).failure()).get().extracting(Throwable::getMessage).asString()
                .contains("more than 8 series");
    }

    @Test
    void failsEveryQueryOfAGroupWhenItsSharedSearchFails() {
        String team = team();
        Events.create()
                .queueSample(at, team, "svc-1", "q1", 3)
                .queueSample(at, team, "svc-2", "q1", 4)
                .indexInto(SharedElasticsearch.node());
        // Events were seen arriving in the metric's indices: what fails is its shared search itself.
        assertThat(answers(List.of(query(team, "fault_queue_length", "service=svc-1"))).get(0).succeeded()).isTrue();
        String index = "fault-" + team;
        SharedElasticsearch.node().createIndexWithUnassignedShard(index);
        try {
            List<MetricQuery> queries = List.of(
                    query(team, "fault_queue_length", "service=svc-1"),
                    query(team, "queue_length", "service=svc-1"),
                    query(team, "fault_queue_length", "service!=svc-1"),
                    query(team, "fault_queue_length", "service in (svc-1,svc-2)"));

            List<MetricAnswer> answers = answers(queries);

            for (int failed : List.of(0, 2, 3)) {
                assertThat(answers.get(failed).failure()).get().extracting(Throwable::getMessage).asString()
                        .contains("fault_queue_length").contains("shard");
            }
            assertThat(numbers(answers.get(1))).containsExactly("3");
            assertThat(proxy.searchBodiesMentioning(team)).isEqualTo(1 + 2);
        } finally {
            SharedElasticsearch.node().request("DELETE", "/" + index, null);
        }
    }

    /**
     * The refresh of a configured metric: the selector-less answers of many namespaces from one search grouped by
     * namespace, each exactly what the namespace's own search answers, also after series appear and disappear.
     */
    @Test
    void answersTheNamespacesOfAConfiguredMetricFromOneSearchAcrossThemAsTheirOwnSearchesWould() {
        String prefix = team();
        List<String> namespaces = IntStream.range(0, 25).mapToObj(i -> prefix + "-" + i).toList();
        Instant longAgo = at.minus(Duration.ofMinutes(30));
        Events events = Events.create();
        // The events of one series go to indices of their own, which are then deleted: a series that disappears.
        String gone = Events.AI_EVENTS + "gone-" + prefix + "-";
        Events.create().requests(3, at, namespaces.get(1), "svc-2", 500).queueSample(at, namespaces.get(1), "svc-2", null, 2)
                .indexInto(SharedElasticsearch.node(), gone);
        for (int i = 0; i < namespaces.size(); i++) {
            String namespace = namespaces.get(i);
            switch (i % 5) {
                case 4 -> { } // no events at all: a labelled zero
                case 3 -> events.requests(5, longAgo, namespace, "svc-old", 200).queueSample(longAgo, namespace, "svc-old", "q1", 9);
                default -> {
                    events.requests(i + 1, at, namespace, "svc-1", 200).queueSample(at, namespace, "svc-1", "q1", i);
                    if (i != 1) {
                        events.requests(3, at, namespace, "svc-2", 500).queueSample(at, namespace, "svc-2", null, 2 * i);
                    }
                }
            }
        }
        events.indexInto(SharedElasticsearch.node());
        List<MetricQuery> queries = namespaces.stream()
                .flatMap(namespace -> Stream.of(query(namespace, "queue_length", ""), query(namespace, "request_rate", "")))
                .toList();

        List<MetricAnswer> answers = answers(queries);

        assertThat(proxy.searchBodiesMentioning(prefix)).as("one search per metric for 25 namespaces").isEqualTo(2);
        assertAnsweredAsOwnSearchesAnswer(queries, answers);
        assertThat(numbers(answers.get(2 * 5 + 1))).containsExactlyInAnyOrder("0.1", "0.05");
        assertThat(answers.get(2 * 4).values()).singleElement().satisfies(value -> {
            assertThat(value.labels()).isEmpty();
            assertThat(value.value()).isEqualByComparingTo("0");
        });
        assertThat(answers.get(2 * 3 + 1).values()).as("events outside the window").singleElement()
                .satisfies(value -> assertThat(value.value()).isEqualByComparingTo("0"));

        // Between two refreshes a series appears, another disappears, a namespace without events gets some.
        Events.create().requests(3, at, namespaces.get(0), "svc-3", 200).requests(6, at, namespaces.get(4), "svc-1", 200)
                .indexInto(SharedElasticsearch.node());
        for (JsonNode index : SharedElasticsearch.node().request("GET", "/_cat/indices/" + gone + "*?format=json", null)) {
            SharedElasticsearch.node().request("DELETE", "/" + index.path("index").asText(), null);
        }
        long before = proxy.searchBodiesMentioning(prefix);

        List<MetricAnswer> again = answers(queries);

        assertThat(proxy.searchBodiesMentioning(prefix) - before).isEqualTo(2);
        assertAnsweredAsOwnSearchesAnswer(queries, again);
        assertThat(again.get(1).values()).extracting(value -> value.labels().get("service")).contains("svc-3");
        assertThat(again.get(2 + 1).values()).extracting(value -> value.labels().get("service")).containsOnly("svc-1");
        assertThat(numbers(again.get(2 * 4 + 1))).containsExactly("0.1");
    }

    /** More series than one page holds (1,000): the search across namespaces pages on, as a namespace's own does. */
    @Test
    void pagesThroughTheSeriesOfASearchAcrossNamespaces() {
        String prefix = team();
        List<String> namespaces = IntStream.range(0, 150).mapToObj(i -> prefix + "-" + i).toList();
        Events events = Events.create();
        namespaces.forEach(namespace -> IntStream.range(0, 7)
                .forEach(service -> events.queueSample(at, namespace, "svc-" + service, "q1", service)));
        events.indexInto(SharedElasticsearch.node());
        List<MetricQuery> queries = namespaces.stream().map(namespace -> query(namespace, "queue_length", "")).toList();

        List<MetricAnswer> answers = answers(queries);

        assertThat(proxy.searchBodiesMentioning(prefix)).as("1,050 series: two pages").isEqualTo(2);
        assertThat(answers).allSatisfy(answer -> assertThat(answer.values()).hasSize(7));
        assertAnsweredAsOwnSearchesAnswer(queries, answers);
    }

    /**
     * Too many series in one namespace fail that namespace's answer without a selector only, as its own search would;
     * a selector there is still answered by a search of its own.
     */
    @Test
    void failsOnlyTheNamespaceWithTooManySeriesInASearchAcrossNamespaces() {
        String crowded = team();
        String calm = team();
        Events events = Events.create();
        IntStream.range(0, 10).forEach(i -> events.queueSample(at, crowded, "svc-" + i, "q1", i));
        events.queueSample(at, calm, "svc-1", "q1", 5).indexInto(SharedElasticsearch.node());

        List<MetricAnswer> answers = answers(List.of(query(crowded, "queue_length", ""), query(calm, "queue_length", ""),
                query(crowded, "queue_length", "service=svc-3")));

        assertThat(answers.get(0).failure()).get().isInstanceOf(TooManySeriesException.class)
                .extracting(Throwable::getMessage).asString().contains("more than 8 series");
        assertThat(numbers(answers.get(1))).containsExactly("5");
        assertThat(numbers(answers.get(2))).containsExactly("3");
        // The search across both namespaces, then the selector's own search in the crowded namespace (not the
        // crowded namespace's search without a selector: it would only find too many again).
        assertThat(proxy.searchBodiesMentioning(crowded)).isEqualTo(2);
        assertThat(proxy.searchBodiesMentioning(calm)).isEqualTo(1);
    }

    /** A failed shard makes the answer of every namespace of the search untrustworthy: all fail, none is zero. */
    @Test
    void failsEveryNamespaceOfASearchAcrossNamespacesWhenAShardFails() {
        String prefix = team();
        List<String> namespaces = List.of(prefix + "-a", prefix + "-b", prefix + "-c");
        Events events = Events.create();
        namespaces.forEach(namespace -> events.queueSample(at, namespace, "svc-1", "q1", 3));
        events.indexInto(SharedElasticsearch.node());
        assertThat(answers(List.of(query(namespaces.get(0), "fault_queue_length", ""))).get(0).succeeded()).isTrue();
        String index = "fault-" + prefix;
        SharedElasticsearch.node().createIndexWithUnassignedShard(index);
        try {
            List<MetricQuery> queries = new java.util.ArrayList<>(namespaces.stream()
                    .map(namespace -> query(namespace, "fault_queue_length", "")).toList());
            queries.add(query(namespaces.get(1), "queue_length", ""));
            long before = proxy.searchBodiesMentioning(prefix);

            List<MetricAnswer> answers = answers(queries);

            assertThat(proxy.searchBodiesMentioning(prefix) - before).isEqualTo(2);
            for (int failed = 0; failed < namespaces.size(); failed++) {
                assertThat(answers.get(failed).failure()).get().extracting(Throwable::getMessage).asString()
                        .contains("fault_queue_length").contains("shard");
            }
            assertThat(numbers(answers.get(3))).containsExactly("3");
        } finally {
            SharedElasticsearch.node().request("DELETE", "/" + index, null);
        }
    }

    private void assertAnsweredAsOwnSearchesAnswer(List<MetricQuery> queries, List<MetricAnswer> answers) {
        for (int i = 0; i < queries.size(); i++) {
            MetricQuery query = queries.get(i);
            List<MetricValue> alone = backend.answer(declared.resolve(query));
            assertThat(answers.get(i).failure()).as("failure of %s", query).isEmpty();
            assertThat(Seen.of(answers.get(i).values())).as("answer to %s", query)
                    .containsExactlyInAnyOrderElementsOf(Seen.of(alone));
        }
    }

    private static List<String> numbers(MetricAnswer answer) {
        return answer.values().stream().map(value -> value.value().stripTrailingZeros().toPlainString()).toList();
    }

    private static MetricQuery query(String namespace, String metric, String selector) {
        return new MetricQuery(namespace, metric, LabelSelector.parse(selector));
    }

    private static String team() {
        return "shared-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
