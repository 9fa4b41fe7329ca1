package io.esmetrics.adapter.explain;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.esmetrics.adapter.testsupport.AdjustableClock;
import io.esmetrics.adapter.testsupport.ElasticsearchTestResource;
import io.esmetrics.adapter.testsupport.Events;
import io.esmetrics.adapter.testsupport.SharedElasticsearch;
import io.fabric8.kubernetes.api.model.Quantity;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code explain=true} against a real Elasticsearch: what it says is checked against the metric request itself and
 * against Elasticsearch, and explaining is checked to change nothing the HPAs are served.
 */
@QuarkusTest
@WithTestResource(ElasticsearchTestResource.class)
class ExplainTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String API = "/apis/external.metrics.k8s.io/v1beta1/namespaces/";
    private static final String TEAM = "explain-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String OTHER_TEAM = TEAM + "-other";
    /** Far above what refusing a parameter costs, far below what expanding an exponent did. */
    private static final Duration QUICKLY = Duration.ofSeconds(3);

    @TestHTTPResource(value = "metrics", management = true)
    URL meters;

    /** The adapter's clock stands still at the time the events are indexed around: ages and values are exact. */
    @BeforeAll
    static void indexEvents() {
        Instant now = AdjustableClock.ofRunningAdapter().freeze();
        Events.create()
                // queue_length: latest per (service, queue) → chat/q1 = 5, chat/q2 = 2, search/q1 = 4; 11 in all
                .queueSample(now.minusSeconds(10), TEAM, "chat", "q1", 5)
                .queueSample(now.minusSeconds(20), TEAM, "chat", "q2", 2)
                .queueSample(now.minusSeconds(30), TEAM, "search", "q1", 4)
                // request_rate: 120 requests of chat inside the 1m window ending 5s ago → 2 per second
                .requests(90, now.minusSeconds(20), TEAM, "chat", 200)
                .requests(30, now.minusSeconds(20), TEAM, "chat", 500)
                .requests(12, now.minusSeconds(20), TEAM, "search", 200)
                // another namespace: never part of TEAM's answers, nor of its explanation
                .queueSample(now.minusSeconds(5), OTHER_TEAM, "chat", "q1", 1000)
                .requests(600, now.minusSeconds(20), OTHER_TEAM, "chat", 200)
                .indexInto(SharedElasticsearch.node());
    }

    private static Response explain(String namespace, String metric, String... query) {
        var request = given().queryParam("explain", "true");
        for (int i = 0; i < query.length; i += 2) {
            request.queryParam(query[i], query[i + 1]);
        }
        return request.get(API + namespace + "/" + metric);
    }

    @Test
    void showsTheAnswerServedFromMemoryExactlyAsTheMetricRequestGetsIt() throws Exception {
        String values = given().queryParam("labelSelector", "service=chat").get(API + TEAM + "/queue_length")
                .then().statusCode(200).extract().asString();

        JsonNode explanation = JSON.readTree(explain(TEAM, "queue_length", "labelSelector", "service=chat")
                .then().statusCode(200).extract().asString());

        assertThat(explanation.path("kind").asText()).isEqualTo("ExternalMetricExplanation");
        assertThat(explanation.path("labelSelector").asText()).isEqualTo("service=chat");
        JsonNode answer = explanation.path("answer");
        assertThat(answer.path("code").asInt()).isEqualTo(200);
        assertThat(answer.path("from").asText()).isEqualTo("memory");
        assertThat(answer.path("items")).isEqualTo(JSON.readTree(values).path("items"));
        assertThat(answer.path("age").asText()).isEqualTo("0s");
        assertThat(answer.path("stalenessBudget").asText()).isEqualTo("2m0s");
        assertThat(answer.path("budgetLeft").asText()).isEqualTo("2m0s");
        assertThat(answer.has("lastFailure")).isFalse();
        JsonNode rule = explanation.path("rule");
        assertThat(rule.path("source").asText()).isEqualTo("built-in");
        assertThat(rule.path("indexPattern").asText()).isEqualTo("ai-events-*");
        assertThat(rule.path("aggregation").asText()).isEqualTo("latest");
        assertThat(rule.path("labels").path("service").asText()).isEqualTo("service.name");
        JsonNode backend = explanation.path("backend");
        assertThat(backend.path("name").asText()).isEqualTo("Elasticsearch");
        assertThat(backend.path("circuit").asText()).isEqualTo("closed");
        assertThat(backend.path("computedBy").asText()).contains("every selector is picked in memory");
        assertThat(backend.path("ingest").path("newestEvent").asText()).isNotEmpty();
        assertThat(backend.has("requestProblem")).isFalse();
    }

    /** A percentile's explanation names its percent and says why selectors share no search. */
    @Test
    void explainsAPercentile() {
        JsonNode explanation = read(explain(TEAM, "request_latency_p95", "labelSelector", "service=chat"));

        assertThat(explanation.path("rule").path("aggregation").asText()).isEqualTo("percentile");
        assertThat(explanation.path("rule").path("field").asText()).isEqualTo("event.duration");
        assertThat(explanation.path("rule").path("percent").asDouble()).isEqualTo(95.0);
        assertThat(explanation.path("backend").path("computedBy").asText()).contains("does not add up across series");
        assertThat(explanation.path("backend").path("request").path("body").path("aggs").path("value")
                .path("percentiles").path("percents").path(0).asDouble()).isEqualTo(95.0);
    }

    /**
     * A ratio's explanation names its numerator, and its one request, sent by hand, counts the denominator (hits) and
     * the numerator (a filter aggregation) the answer divides.
     */
    @Test
    void explainsARatioAndTheOneSearchThatCountsBothItsTerms() {
        JsonNode explanation = read(explain(TEAM, "request_error_ratio", "labelSelector", "service=chat"));

        assertThat(explanation.path("rule").path("aggregation").asText()).isEqualTo("ratio");
        assertThat(explanation.path("rule").path("numerator").path("http.response.status_code").size()).isEqualTo(11);
        assertThat(explanation.path("answer").path("items").path(0).path("value").asText()).isEqualTo("250m");
        JsonNode request = explanation.path("backend").path("request");
        JsonNode found = SharedElasticsearch.node().request(request.path("method").asText(), request.path("path").asText(),
                request.path("body").toString());
        assertThat(found.path("hits").path("total").path("value").asLong()).isEqualTo(120);
        assertThat(found.path("aggregations").path("value").path("doc_count").asLong()).isEqualTo(30);
    }

    /** The request shown, sent to Elasticsearch by hand, finds exactly the events the answer counts. */
    @Test
    void showsTheElasticsearchRequestThatComputesTheAnswer() {
        JsonNode explanation = read(explain(TEAM, "request_rate", "labelSelector", "service=chat"));
        JsonNode request = explanation.path("backend").path("request");

        JsonNode found = SharedElasticsearch.node().request(request.path("method").asText(), request.path("path").asText(),
                request.path("body").toString());

        long events = 0;
        for (JsonNode bucket : found.path("aggregations").path("series").path("buckets")) {
            events += bucket.path("doc_count").asLong();
        }
        assertThat(events).isEqualTo(120);
        BigDecimal rate = BigDecimal.ZERO;
        for (JsonNode item : explanation.path("answer").path("items")) {
            rate = rate.add(Quantity.parse(item.path("value").asText()).getNumericalAmount());
        }
        assertThat(rate).isEqualByComparingTo("2");
        assertThat(request.path("console").asText())
                .startsWith("POST /ai-events-*/_search?allow_no_indices=true&ignore_unavailable=false\n{")
                .contains(TEAM).doesNotContain(OTHER_TEAM);
    }

    @Test
    void computesWhatMemoryDoesNotHoldWithoutKeepingIt() {
        String namespace = TEAM + "-unasked";
        Events.create().requests(6, AdjustableClock.ofRunningAdapter().instant().minusSeconds(20), namespace, "chat", 200)
                .indexInto(SharedElasticsearch.node());

        explain(namespace, "request_count", "labelSelector", "service=chat").then().statusCode(200)
                .body("answer.from", equalTo("search"))
                .body("answer.items[0].value", equalTo("6"))
                .body("answer.age", nullValue());
        explain(namespace, "request_count", "labelSelector", "service=chat").then().statusCode(200)
                .body("answer.from", equalTo("search"));

        given().queryParam("labelSelector", "service=chat").get(API + namespace + "/request_count").then().statusCode(200);
        explain(namespace, "request_count", "labelSelector", "service=chat").then().statusCode(200)
                .body("answer.from", equalTo("memory"));
    }

    @Test
    void projectsWhatTheHpaComputes() {
        explain(TEAM, "queue_length", "target", "4", "replicas", "2").then().statusCode(200)
                .body("hpa.targetType", equalTo("AverageValue"))
                .body("hpa.total", equalTo("11"))
                .body("hpa.averagePerReplica", equalTo("5.5"))
                .body("hpa.desiredReplicas", equalTo(3))
                .body("hpa.why", containsString("ceil(11 / 4) = 3"));
        explain(TEAM, "queue_length", "target", "20", "targetType", "Value", "replicas", "3").then().statusCode(200)
                .body("hpa.targetType", equalTo("Value"))
                .body("hpa.desiredReplicas", equalTo(2));
        explain(TEAM, "queue_length").then().statusCode(200).body("hpa", nullValue());
    }

    /** A metric whose data cannot be read is explained, not failed: the answer says what the HPA gets, and why. */
    @Test
    void explainsAMetricThatCannotBeComputed() {
        explain(TEAM, "typo_requests", "target", "10").then().statusCode(200)
                .body("answer.code", equalTo(503))
                .body("answer.from", equalTo("none"))
                .body("answer.items", nullValue())
                .body("answer.status.kind", equalTo("Status"))
                .body("answer.status.reason", equalTo("ServiceUnavailable"))
                .body("answer.status.message", containsString("matches no index"))
                .body("backend.ingest.problem", containsString("matches no index"))
                .body("hpa.desiredReplicas", nullValue())
                .body("hpa.why", containsString("FailedGetExternalMetric"));
    }

    @ParameterizedTest(name = "{0}?{1}")
    @CsvSource(delimiter = '|', textBlock = """
            no_such_metric | labelSelector=service%3Dchat
            queue_length   | labelSelector=colour%3Dred
            queue_length   | labelSelector=service%3D%3D%3D
            """)
    void refusesWhatTheMetricRequestRefusesWithTheSameStatus(String metric, String query) {
        String plain = given().urlEncodingEnabled(false).get(API + TEAM + "/" + metric + "?" + query)
                .then().extract().asString();

        Response explained = given().urlEncodingEnabled(false).get(API + TEAM + "/" + metric + "?" + query + "&explain=true");

        assertThat(explained.statusCode()).isIn(400, 404);
        assertThat(explained.asString()).isEqualTo(plain);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            explain=yes                                   | invalid explain
            explain=true&target=ten                       | invalid target
            explain=true&target=0                         | above zero
            explain=true&target=10&targetType=Utilization | Value or AverageValue
            explain=true&target=10&targetType=Value       | give replicas
            explain=true&target=10&replicas=-2            | invalid replicas
            explain=true&replicas=3                       | give target
            """)
    void refusesBadParametersWithBadRequest(String query, String message) {
        given().urlEncodingEnabled(false).get(API + TEAM + "/queue_length?" + query).then()
                .statusCode(400)
                .body("kind", equalTo("Status"))
                .body("reason", equalTo("BadRequest"))
                .body("message", containsString(message));
    }

    /**
     * Issue 23: {@code target=1e10000000} took seconds of CPU, four requests with {@code 1e40000000} half a minute each
     * and 2.4 GB, as the target was expanded exactly. Refused from its text, at once.
     */
    @ParameterizedTest(name = "target={0}")
    @ValueSource(strings = { "1e40000000", "1e10000000", "-1e40000000", "9223372036854775808m", "9.3e15", "8Ei" })
    void refusesATargetNoHpaCanHoldWithBadRequestAtOnce(String target) {
        Response response = assertTimeoutPreemptively(QUICKLY, () -> explain(TEAM, "queue_length", "target", target));

        response.then().statusCode(400)
                .body("kind", equalTo("Status"))
                .body("reason", equalTo("BadRequest"))
                .body("message", containsString("beyond what an HPA can hold"));
    }

    /** The HPA reads a target below a milli as 1m; ten million zeros are not written out to find that. */
    @Test
    void projectsATargetBelowAMilliAsOneMilliAtOnce() {
        Response response = assertTimeoutPreemptively(QUICKLY,
                () -> explain(TEAM, "queue_length", "target", "1e-40000000", "replicas", "2"));

        response.then().statusCode(200)
                .body("hpa.target", equalTo("1e-40000000"))
                .body("hpa.total", equalTo("11"))
                .body("hpa.desiredReplicas", equalTo(11_000));
    }

    @Test
    void refusesAnInvalidNamespaceAsTheMetricRequestDoes() {
        explain("Not_A_Namespace", "queue_length").then().statusCode(400).body("reason", equalTo("BadRequest"));
    }

    @Test
    void explainFalseIsAnOrdinaryMetricRequest() {
        given().queryParam("explain", "false").get(API + TEAM + "/queue_length").then().statusCode(200)
                .body("kind", equalTo("ExternalMetricValueList"));
    }

    /** The HPA's request meters count what HPAs asked: explaining a metric is not one of them. */
    @Test
    void isNotCountedAsAMetricRequest() {
        double before = requestCount("queue_length_max");

        explain(TEAM, "queue_length_max").then().statusCode(200).body("answer", notNullValue());
        explain(TEAM, "queue_length_max", "target", "abc").then().statusCode(400);

        assertThat(requestCount("queue_length_max")).isEqualTo(before);
        given().get(API + TEAM + "/queue_length_max").then().statusCode(200);
        assertThat(requestCount("queue_length_max")).isEqualTo(before + 1);
    }

    @Test
    void neverShowsAnotherNamespacesData() {
        String explanation = explain(TEAM, "request_rate").then().statusCode(200).extract().asString();

        assertThat(explanation).contains(TEAM).doesNotContain(OTHER_TEAM);
        explain(TEAM, "request_rate").then().body("answer.items[0].value", not(equalTo("12")));
    }

    private double requestCount(String metric) {
        String scraped = given().get(meters).then().statusCode(200).extract().asString();
        Matcher count = Pattern.compile("esmetrics_requests_seconds_count\\{code=\"200\",metric=\"" + metric + "\"} (\\S+)")
                .matcher(scraped);
        return count.find() ? Double.parseDouble(count.group(1)) : 0;
    }

    private static JsonNode read(Response response) {
        try {
            return JSON.readTree(response.then().statusCode(200).extract().asString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
