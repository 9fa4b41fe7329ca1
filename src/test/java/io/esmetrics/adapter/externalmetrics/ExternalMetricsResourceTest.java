package io.esmetrics.adapter.externalmetrics;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import io.esmetrics.adapter.testsupport.ElasticsearchTestResource;
import io.esmetrics.adapter.testsupport.Events;
import io.esmetrics.adapter.testsupport.SharedElasticsearch;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

    @BeforeAll
    static void indexEvents() {
        Instant now = Instant.now();
        Events.create()
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
                .indexInto(SharedElasticsearch.node());
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
        var items = metric("whatever", "all_namespaces_requests", null).statusCode(200)
                .extract().jsonPath().getList("items.value", String.class);

        assertThatTotal(items).isGreaterThanOrEqualTo(new java.math.BigDecimal(180));
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

    @Test
    void probesAnswerWithoutAskingElasticsearch() {
        given().get("/livez").then().statusCode(200);
        given().get("/readyz").then().statusCode(200);
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
