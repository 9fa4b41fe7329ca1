package io.esmetrics.adapter.externalmetrics;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.esmetrics.adapter.testsupport.AdjustableClock;
import io.esmetrics.adapter.testsupport.ElasticsearchTestResource;
import io.esmetrics.adapter.testsupport.Events;
import io.esmetrics.adapter.testsupport.SharedElasticsearch;
import io.fabric8.kubernetes.api.model.Quantity;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The metric API against a real Elasticsearch holding events of two namespaces. Values are checked against
 * numbers computed by hand from the indexed events.
 */
@QuarkusTest
@Tag("engines")
@WithTestResource(ElasticsearchTestResource.class)
class ExternalMetricsResourceTest {

    private static final String API = "/apis/external.metrics.k8s.io/v1beta1";
    private static final String TEAM = "team-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String OTHER_TEAM = TEAM + "-other";
    private static final String HUGE_TEAM = TEAM + "-huge";
    private static final String LATENCY_TEAM = TEAM + "-latency";
    private static final String ERRORS_TEAM = TEAM + "-errors";
    private static final List<Long> CHAT_MILLIS = LongStream.rangeClosed(1, 1000).boxed().toList();
    private static final List<Long> EMBEDDINGS_MILLIS = LongStream.rangeClosed(2001, 2100).boxed().toList();
    /** Indices without the event template: Elasticsearch maps their strings as text with a .keyword sub-field. */
    private static final String DYNAMIC_INDICES = "dynamic-events-";

    /** The adapter's clock stands still at the time the events are indexed around: the values are exact however slow the run. */
    @BeforeAll
    static void indexEvents() {
        Instant now = AdjustableClock.ofRunningAdapter().freeze();
        Events events = Events.create()
                // queue_length: latest per (service, queue) → chat/q1 = 5, chat/q2 = 2, search/q1 = 4
                .queueSample(now.minusSeconds(100), TEAM, "chat", "q1", 3)
                .queueSample(now.minusSeconds(10), TEAM, "chat", "q1", 5)
                .queueSample(now.minusSeconds(20), TEAM, "chat", "q2", 2)
                .queueSample(now.minusSeconds(30), TEAM, "search", "q1", 4)
                // older than the 3m staleness limit: no longer counts
                .queueSample(now.minusSeconds(600), TEAM, "batch", "q9", 100)
                // request_rate: 90 + 30 requests inside the 1m window ending 5s ago → 2 per second
                .requests(90, now.minusSeconds(20), TEAM, "chat", 200)
                .requests(30, now.minusSeconds(20), TEAM, "chat", 500)
                // outside the window: after its end (which is an ingest lag before the request), and too old
                .requests(7, now.plusSeconds(30), TEAM, "chat", 200)
                .requests(11, now.minusSeconds(200), TEAM, "chat", 200)
                // another namespace: must never be visible to TEAM
                .queueSample(now.minusSeconds(5), OTHER_TEAM, "chat", "q1", 1000)
                .requests(60, now.minusSeconds(20), OTHER_TEAM, "chat", 200)
                // a gauge beyond what a Quantity can carry (9.2e15)
                .queueSample(now.minusSeconds(5), HUGE_TEAM, "chat", "q1", 1e19);
        events.indexInto(SharedElasticsearch.node());
        // The same events as Logstash writes them without our index template (DYNAMIC_INDICES).
        events.indexInto(SharedElasticsearch.node(), DYNAMIC_INDICES);
        // And into indices no other test writes, for an exact cluster-wide count.
        events.indexInto(SharedElasticsearch.node(), "cluster-events-");
        // request_latency_p95: chat's requests take 1 ms to 1000 ms, embeddings' 2001 ms to 2100 ms.
        Events.create()
                .requestsTaking(now.minusSeconds(20), LATENCY_TEAM, "chat", CHAT_MILLIS.stream().map(Duration::ofMillis).toList())
                .requestsTaking(now.minusSeconds(20), LATENCY_TEAM, "embeddings",
                        EMBEDDINGS_MILLIS.stream().map(Duration::ofMillis).toList())
                .indexInto(SharedElasticsearch.node());
        // request_error_ratio: chat answers 20 of its 100 requests with a 5xx; embeddings throttles 40 of 100 (429,
        // not a server error); outside the window, errors that must not count.
        Events.create()
                .requests(80, now.minusSeconds(20), ERRORS_TEAM, "chat", 200)
                .requests(15, now.minusSeconds(20), ERRORS_TEAM, "chat", 503)
                .requests(5, now.minusSeconds(20), ERRORS_TEAM, "chat", 500)
                .requests(60, now.minusSeconds(20), ERRORS_TEAM, "embeddings", 200)
                .requests(40, now.minusSeconds(20), ERRORS_TEAM, "embeddings", 429)
                .requests(50, now.minusSeconds(200), ERRORS_TEAM, "chat", 500)
                .requests(50, now.plusSeconds(30), ERRORS_TEAM, "embeddings", 502)
                .indexInto(SharedElasticsearch.node());
    }

    /**
     * A ratio is one item over every request the selector matches (20 of 200 for both services, never chat's 0.2 plus
     * embeddings' 0), and no request at all reads 0.
     */
    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(nullValues = "none", value = {
            "service=chat, 200m",
            "service=embeddings, 0",
            "'service in (chat, embeddings)', 100m",
            "none, 100m",
            "service=nobody, 0"})
    void computesTheShareOfServerErrorsOverEveryRequestTheSelectorMatches(String selector, String expected) {
        metric(ERRORS_TEAM, "request_error_ratio", selector).statusCode(200)
                .body("items", hasSize(1))
                .body("items[0].value", equalTo(expected))
                .body("items[0].window", nullValue());
    }

    static Stream<Arguments> latencySelectors() {
        List<Long> both = Stream.concat(CHAT_MILLIS.stream(), EMBEDDINGS_MILLIS.stream()).toList();
        return Stream.of(
                arguments("service=chat", percentile(CHAT_MILLIS, 95)),
                arguments("service=embeddings", percentile(EMBEDDINGS_MILLIS, 95)),
                arguments("service in (chat, embeddings)", percentile(both, 95)),
                arguments(null, percentile(both, 95)),
                arguments("service=nobody", 0.0));
    }

    /**
     * A percentile over every request the selector matches, one item, never a sum of per-series percentiles (chat's and
     * embeddings' would add up to about 3045 ms where the 95th of all their requests is about 2045 ms): within 1% of the
     * percentile the test computes from the same durations (TDigest, the engines' estimate, is exact at this size).
     */
    @ParameterizedTest(name = "{0} → {1} ms")
    @MethodSource("latencySelectors")
    void computesAPercentileOverEveryRequestTheSelectorMatches(String selector, double expectedMillis) {
        String value = metric(LATENCY_TEAM, "request_latency_p95", selector).statusCode(200)
                .body("items", hasSize(1))
                .body("items[0].window", nullValue())
                .extract().path("items[0].value");

        double millis = new Quantity(value).getNumericalAmount().doubleValue() / 1e6;
        assertThat(millis).isCloseTo(expectedMillis, Percentage.withPercentage(1));
    }

    /** The {@code p}th percentile of {@code values}, interpolated linearly between the ranks around it. */
    private static double percentile(List<Long> values, double p) {
        List<Long> sorted = values.stream().sorted().toList();
        double rank = p / 100 * (sorted.size() - 1);
        int below = (int) Math.floor(rank);
        int above = Math.min(sorted.size() - 1, below + 1);
        return sorted.get(below) + (rank - below) * (sorted.get(above) - sorted.get(below));
    }

    @Test
    void listsTheApiGroup() {
        given().get("/apis").then().statusCode(200)
                .body("kind", equalTo("APIGroupList"))
                .body("groups[0].name", equalTo("external.metrics.k8s.io"))
                .body("groups[0].preferredVersion.groupVersion", equalTo("external.metrics.k8s.io/v1beta1"));
        given().get("/apis/external.metrics.k8s.io").then().statusCode(200)
                .body("kind", equalTo("APIGroup"))
                .body("versions[0].version", equalTo("v1beta1"));
    }

    @Test
    void listsEveryDeclaredMetricInDiscovery() {
        given().get(API).then().statusCode(200)
                .body("kind", equalTo("APIResourceList"))
                .body("groupVersion", equalTo("external.metrics.k8s.io/v1beta1"))
                .body("resources.name", hasItems("queue_length", "request_rate", "request_count", "queue_length_max"))
                .body("resources[0].namespaced", equalTo(true))
                .body("resources[0].singularName", equalTo(""))
                .body("resources[0].kind", equalTo("ExternalMetricValueList"))
                .body("resources[0].verbs", equalTo(java.util.List.of("get")));
    }

    @Test
    void sumsTheLatestSampleOfEverySeries() {
        metric("queue_length", null).statusCode(200)
                .body("kind", equalTo("ExternalMetricValueList"))
                .body("apiVersion", equalTo("external.metrics.k8s.io/v1beta1"))
                .body("items", hasSize(3))
                .body("items.find { it.metricLabels.service == 'chat' && it.metricLabels.queue == 'q1' }.value", equalTo("5"))
                .body("items.find { it.metricLabels.service == 'chat' && it.metricLabels.queue == 'q2' }.value", equalTo("2"))
                .body("items.find { it.metricLabels.service == 'search' }.value", equalTo("4"))
                .body("items[0].window", nullValue())
                .body("items[0].metricName", equalTo("queue_length"));
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(delimiter = '|', value = {
            "service=chat                  | 7",
            "service==chat                 | 7",
            "service!=chat                 | 4",
            "queue in (q1)                 | 9",
            "queue in (q1, q2),service=chat| 7",
            "queue notin (q2)              | 9",
            "queue                         | 11",
            "!queue                        | 0",
            "service=nobody                | 0",
    })
    void honoursEverySelectorForm(String selector, String expectedTotal) {
        var items = metric("queue_length", selector).statusCode(200).extract().jsonPath().getList("items.value", String.class);

        assertThatTotal(items).isEqualTo(new java.math.BigDecimal(expectedTotal));
    }

    @Test
    void answersARealZeroLabelledWithTheSelectedValues() {
        metric("queue_length", "service=nobody").statusCode(200)
                .body("items", hasSize(1))
                .body("items[0].value", equalTo("0"))
                .body("items[0].metricLabels.service", equalTo("nobody"));
    }

    @Test
    void computesRequestRateOverTheWindowEndingAnIngestLagAgo() {
        metric("request_rate", null).statusCode(200)
                .body("items", hasSize(2))
                .body("items.find { it.metricLabels.status_code == '200' }.value", equalTo("1500m"))
                .body("items.find { it.metricLabels.status_code == '500' }.value", equalTo("500m"))
                .body("items[0].window", equalTo(60));
        metric("request_rate", "status_code in (500,503)").statusCode(200)
                .body("items", hasSize(1))
                .body("items[0].value", equalTo("500m"));
    }

    @Test
    void keepsNamespacesApart() {
        metric(OTHER_TEAM, "queue_length", null).statusCode(200)
                .body("items", hasSize(1))
                .body("items[0].value", equalTo("1k"));
        metric(OTHER_TEAM, "request_rate", null).statusCode(200)
                .body("items[0].value", equalTo("1"));
        metric("never-used-" + TEAM, "request_rate", null).statusCode(200)
                .body("items", hasSize(1))
                .body("items[0].value", equalTo("0"));
    }

    @Test
    void servesUserDeclaredAggregations() {
        metric("request_count", "service=chat").statusCode(200).body("items[0].value", equalTo("120"));
        // max and avg are not additive: one item for the whole selection
        metric("queue_length_max", "service=chat").statusCode(200)
                .body("items", hasSize(1)).body("items[0].value", equalTo("5"));
        // avg over the five samples of the last 5 minutes: (3 + 5 + 2 + 4) / 4
        metric("queue_length_avg", null).statusCode(200).body("items[0].value", equalTo("3500m"));
        metric("queue_length_sum", null).statusCode(200)
                .body("items.find { it.metricLabels.service == 'chat' }.value", equalTo("10"))
                .body("items.find { it.metricLabels.service == 'search' }.value", equalTo("4"));
    }

    @Test
    void clusterScopedMetricsCountEveryNamespace() {
        // 90 + 30 requests of TEAM and 60 of OTHER_TEAM in the window, whichever namespace asks.
        for (String namespace : new String[] { "whatever", TEAM, OTHER_TEAM }) {
            metric(namespace, "cluster_requests", null).statusCode(200)
                    .body("items", hasSize(1))
                    .body("items[0].value", equalTo("180"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "typo_requests             | metric typo_requests has no data: index pattern ai-evnts-* matches no index the adapter may read",
            "missing_index_requests    | metric missing_index_requests has no data: index pattern no-such-index matches no index",
            "wrong_time_field_requests | no event of ai-events-* has a event.created in the 1h0m0s before",
    })
    void answersServiceUnavailableWhenThereIsNoDataToReadNeverZero(String metric, String message) {
        metric(metric, null).statusCode(503)
                .body("kind", equalTo("Status"))
                .body("apiVersion", equalTo("v1"))
                .body("status", equalTo("Failure"))
                .body("reason", equalTo("ServiceUnavailable"))
                .body("code", equalTo(503))
                .body("message", containsString(message));
    }

    /**
     * A value that no value of the field's type can equal (http.response.status_code is a long) is no match, as in
     * a Kubernetes selector; Elasticsearch would refuse the whole search. Totals: 200 → 1500m, 500 → 500m.
     */
    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(delimiter = '|', value = {
            "status_code=svc-a                     | 0",
            "status_code!=svc-a                    | 2",
            "status_code=                          | 0",
            "status_code!=                         | 2",
            "status_code=99999999999999999999      | 0",
            "status_code!=99999999999999999999     | 2",
            "status_code=500.5                     | 0",
            "status_code=1e400                     | 0",
            "status_code in (svc-a, 500)           | 500m",
            "status_code notin (svc-a, 500)        | 1500m",
            "status_code notin (svc-a, b)          | 2",
            "status_code=500.0                     | 500m",
            "status_code=5e2                       | 500m",
            "status_code,status_code!=x            | 2",
    })
    void matchesSelectorValuesThatCannotBeOfTheFieldsTypeAsNoMatch(String selector, String expectedTotal) {
        var items = metric("request_rate", selector).statusCode(200).extract().jsonPath().getList("items.value", String.class);

        assertThatTotal(items).isEqualByComparingTo(new java.math.BigDecimal(expectedTotal.replace("m", "e-3")));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "queue_length | ",
            "queue_length | service=chat",
            "queue_length | queue in (q1),service!=nobody",
            "queue_length | !queue",
            "request_rate | ",
            "request_rate | status_code=500",
            "request_rate | service=chat,status_code!=svc-a",
    })
    void givesTheSameValuesForIndicesWithoutTheEventTemplate(String metric, String selector) {
        var withTemplate = metric(metric, selector).statusCode(200).extract().jsonPath();
        var dynamic = metric("dynamic_" + metric, selector).statusCode(200).extract().jsonPath();

        assertThat(dynamic.getList("items.metricLabels")).containsExactlyInAnyOrderElementsOf(withTemplate.getList("items.metricLabels"));
        assertThat(dynamic.getList("items.value")).containsExactlyInAnyOrderElementsOf(withTemplate.getList("items.value"));
        assertThat(dynamic.getList("items.timestamp")).isEqualTo(withTemplate.getList("items.timestamp"));
    }

    /** The value comes from the data, not from the request: a 503 that says so, not a 500 and not a clipped number. */
    @Test
    void answersServiceUnavailableForAValueNoQuantityCanCarry() {
        metric(HUGE_TEAM, "queue_length", null).statusCode(503)
                .body("kind", equalTo("Status"))
                .body("status", equalTo("Failure"))
                .body("code", equalTo(503))
                .body("reason", equalTo("ServiceUnavailable"))
                .body("message", equalTo("metric queue_length cannot be served: the value 10000000000000000000 cannot be sent "
                        + "as a Kubernetes quantity (it must be finite and below 9.2e15)"));
    }

    @Test
    void rejectsUnknownMetricWithNotFound() {
        metric("no_such_metric", null).statusCode(404)
                .body("kind", equalTo("Status"))
                .body("apiVersion", equalTo("v1"))
                .body("status", equalTo("Failure"))
                .body("reason", equalTo("NotFound"))
                .body("code", equalTo(404))
                .body("message", containsString("no_such_metric"));
    }

    @Test
    void rejectsUndeclaredLabelWithBadRequest() {
        metric("queue_length", "pod=p1").statusCode(400)
                .body("reason", equalTo("BadRequest"))
                .body("message", equalTo("label \"pod\" is not declared for metric queue_length; declared labels: queue, service"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = { "service in (a", "service=a b", "service>1", "=chat", "service=\"chat\"" })
    void rejectsMalformedSelectorWithBadRequest(String selector) {
        metric("queue_length", selector).statusCode(400)
                .body("reason", equalTo("BadRequest"))
                .body("message", containsString("invalid label selector"));
    }

    @Test
    void rejectsInvalidNamespaceWithBadRequest() {
        given().get(API + "/namespaces/Not_A_Namespace/queue_length").then().statusCode(400)
                .body("reason", equalTo("BadRequest"))
                .body("message", containsString("invalid namespace"));
    }

    @Test
    void rejectsOtherVerbsWithMethodNotAllowed() {
        given().body("{}").contentType("application/json").post(API + "/namespaces/" + TEAM + "/queue_length").then()
                .statusCode(405).body("kind", equalTo("Status")).body("reason", equalTo("MethodNotAllowed"));
        given().delete(API).then().statusCode(405).body("reason", equalTo("MethodNotAllowed"));
    }

    @Test
    void answersUnknownPathsWithNotFoundStatus() {
        for (String path : new String[] { "/version", "/api", "/apis/other.k8s.io/v1", API + "/namespaces/" + TEAM }) {
            given().get(path).then().statusCode(404)
                    .body("kind", equalTo("Status")).body("reason", equalTo("NotFound"));
        }
    }

    @Test
    void answersJsonWhenProtobufIsPreferred() {
        given().accept("application/vnd.kubernetes.protobuf, */*")
                .get(API + "/namespaces/" + TEAM + "/queue_length").then()
                .statusCode(200).contentType("application/json").body("kind", equalTo("ExternalMetricValueList"));
    }

    /** That they ask nothing of Elasticsearch is SharedSeriesSearchTest's, which counts requests at a proxy. */
    @Test
    void probesAnswerUp() {
        given().get("/livez").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/readyz").then().statusCode(200).body("status", equalTo("UP"));
    }

    private static ValidatableResponse metric(String name, String selector) {
        return metric(TEAM, name, selector);
    }

    private static ValidatableResponse metric(String namespace, String name, String selector) {
        var request = given().urlEncodingEnabled(true);
        if (selector != null) {
            request = request.queryParam("labelSelector", selector.strip());
        }
        return request.get(API + "/namespaces/" + namespace + "/" + name).then().log().ifValidationFails();
    }

    private static org.assertj.core.api.AbstractBigDecimalAssert<?> assertThatTotal(java.util.List<String> quantities) {
        java.math.BigDecimal total = quantities.stream()
                .map(q -> io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(new io.fabric8.kubernetes.api.model.Quantity(q)))
                .reduce(java.math.BigDecimal.ZERO, java.math.BigDecimal::add);
        return org.assertj.core.api.Assertions.assertThat(total);
    }
}
