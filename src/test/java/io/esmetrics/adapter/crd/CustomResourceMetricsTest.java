package io.esmetrics.adapter.crd;

import io.esmetrics.adapter.testsupport.AdjustableClock;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.esmetrics.adapter.rules.Aggregation;
import io.esmetrics.adapter.rules.MetricDefinition;
import io.esmetrics.adapter.rules.MetricRules;
import io.esmetrics.adapter.rules.Scope;
import io.esmetrics.adapter.testsupport.ElasticsearchTestResource;
import io.esmetrics.adapter.testsupport.Events;
import io.esmetrics.adapter.testsupport.SharedElasticsearch;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ElasticsearchMetric resources on a mock API server (CRUD mode) against the real Elasticsearch: the adapter
 * follows them, serves them to their own namespace only, reading only that namespace's documents, and writes
 * their status.
 */
@QuarkusTest
@TestProfile(CustomResourcesEnabled.class)
@WithKubernetesTestServer(crud = true, setup = CustomResourcesEnabled.CrdInstalled.class)
@WithTestResource(ElasticsearchTestResource.class)
class CustomResourceMetricsTest {

    private static final String API = "/apis/external.metrics.k8s.io/v1beta1";
    private static final Duration SECONDS = Duration.ofSeconds(20);
    private static final String TEAM_A = "crd-a-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String TEAM_B = "crd-b-" + UUID.randomUUID().toString().substring(0, 8);

    @Inject
    KubernetesClient client;

    @Inject
    MetricRules rules;

    @Inject
    AdjustableClock clock;

    /** The adapter's clock stands still at the time the events are indexed around: no request ages out of a window. */
    @BeforeAll
    static void indexEvents() {
        Instant now = AdjustableClock.ofRunningAdapter().freeze().minusSeconds(30);
        Events.create()
                .requests(20, now, TEAM_A, "chat", 200)
                .requests(10, now, TEAM_A, "chat", 500)
                .requests(70, now, TEAM_B, "chat", 200)
                .indexInto(SharedElasticsearch.node());
    }

    @Test
    void discoveryAndValuesFollowCreationUpdateAndDeletion() {
        create(TEAM_A, "chat-requests", requestCount(Map.of()));
        await().atMost(SECONDS).untilAsserted(() -> discovery().body("resources.name", hasItem("chat-requests")));
        await().atMost(SECONDS).untilAsserted(() -> value(TEAM_A, "chat-requests").body("items[0].value", equalTo("30")));
        assertThat(given().get("/openapi/v2").asString()).contains(API + "/namespaces/{namespace}/chat-requests\"");

        create(TEAM_A, "chat-requests", requestCount(Map.of("http.response.status_code", List.of("500"))));
        await().atMost(SECONDS).untilAsserted(() -> value(TEAM_A, "chat-requests").body("items[0].value", equalTo("10")));

        resources(TEAM_A).withName("chat-requests").delete();
        await().atMost(SECONDS).untilAsserted(() -> value(TEAM_A, "chat-requests").statusCode(404));
        discovery().body("resources.name", not(hasItem("chat-requests")));
        assertThat(given().get("/openapi/v2").asString()).doesNotContain("/chat-requests\"");
    }

    /** Once the adapter knows of a change, the very next answer follows it: no value of the old definition is served. */
    @Test
    void noValueOfAChangedOrDeletedDefinitionIsServed() {
        create(TEAM_A, "changing-requests", requestCount(Map.of()));
        await().atMost(SECONDS).untilAsserted(() -> value(TEAM_A, "changing-requests").body("items[0].value", equalTo("30")));

        create(TEAM_A, "changing-requests", requestCount(Map.of("http.response.status_code", List.of("500"))));
        await().atMost(SECONDS).until(() -> rules.find(TEAM_A, "changing-requests")
                .filter(rule -> rule.filter().containsKey("http.response.status_code")).isPresent());
        value(TEAM_A, "changing-requests").statusCode(200).body("items[0].value", equalTo("10"));

        resources(TEAM_A).withName("changing-requests").delete();
        await().atMost(SECONDS).until(() -> rules.find(TEAM_A, "changing-requests").isEmpty());
        value(TEAM_A, "changing-requests").statusCode(404).body("reason", equalTo("NotFound"));
    }

    @Test
    void statusShowsTheValueAndReadiness() {
        create(TEAM_A, "status-requests", requestCount(Map.of()));

        await().atMost(SECONDS).untilAsserted(() -> {
            ElasticsearchMetric resource = resources(TEAM_A).withName("status-requests").get();
            assertThat(resource.getStatus()).isNotNull();
            assertThat(resource.getStatus().value()).isEqualTo("30");
            assertThat(resource.getStatus().lastUpdated()).isNotNull();
            assertThat(resource.getStatus().observedGeneration()).isEqualTo(resource.getMetadata().getGeneration());
            assertThat(condition(resource, "Ready")).get().extracting(Condition::getStatus).isEqualTo("True");
        });
    }

    @Test
    void anUnchangedStatusIsNotRewrittenHowEverOftenTheMetricIsRead() {
        String created = create(TEAM_A, "quiet-requests", requestCount(Map.of()));
        await().atMost(SECONDS).until(() -> condition(resources(TEAM_A).withName("quiet-requests").get(), "Ready").isPresent());
        String resourceVersion = resources(TEAM_A).withName("quiet-requests").get().getMetadata().getResourceVersion();
        assertThat(resourceVersion).as("a status write changes the resourceVersion").isNotEqualTo(created);

        // Four status intervals, with HPA-like reads all along: neither the reads nor the intervals write.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> {
            value(TEAM_A, "quiet-requests").statusCode(200);
            return resources(TEAM_A).withName("quiet-requests").get().getMetadata().getResourceVersion().equals(resourceVersion);
        });
    }

    @Test
    void aMetricIsServedOnlyToItsOwnNamespace() {
        create(TEAM_A, "team-a-only", requestCount(Map.of()));
        await().atMost(SECONDS).untilAsserted(() -> value(TEAM_A, "team-a-only").statusCode(200));

        value(TEAM_B, "team-a-only").statusCode(404).body("reason", equalTo("NotFound"));
    }

    /** Explain names the resource that serves the metric, and never shows another namespace's data. */
    @Test
    void explainNamesTheResourceAndItsOwnNamespaceOnly() {
        create(TEAM_A, "explained-requests", requestCount(Map.of()));
        await().atMost(SECONDS).untilAsserted(() -> value(TEAM_A, "explained-requests").statusCode(200));

        String explanation = given().queryParam("explain", "true").get(API + "/namespaces/" + TEAM_A + "/explained-requests")
                .then().statusCode(200)
                .body("rule.source", equalTo("ElasticsearchMetric " + TEAM_A + "/explained-requests"))
                .body("rule.namespaceField", equalTo("kubernetes.namespace"))
                .body("answer.items[0].value", equalTo("30"))
                .extract().asString();

        assertThat(explanation).contains(TEAM_A).doesNotContain(TEAM_B);
        given().queryParam("explain", "true").get(API + "/namespaces/" + TEAM_B + "/explained-requests").then()
                .statusCode(404).body("reason", equalTo("NotFound"));
    }

    @Test
    void aMetricReadsOnlyDocumentsOfItsOwnNamespace() {
        create(TEAM_A, "every-request", requestCount(Map.of()));
        create(TEAM_B, "every-request", requestCount(Map.of()));

        await().atMost(SECONDS).untilAsserted(() -> value(TEAM_A, "every-request").body("items[0].value", equalTo("30")));
        await().atMost(SECONDS).untilAsserted(() -> value(TEAM_B, "every-request").body("items[0].value", equalTo("70")));
    }

    @Test
    void anInvalidSpecIsReportedAndBreaksNoOtherMetric() {
        create(TEAM_A, "no-field", new MetricDefinition("ai-events-*", null, null, null, null, Aggregation.SUM,
                null, null, null, null, null, null, null, null));

        awaitCondition("no-field", "Invalid", "True", "InvalidSpec", "field 'field': is required");
        value(TEAM_A, "no-field").statusCode(404);
        value(TEAM_A, "request_count").statusCode(200);
    }

    /** The cluster operator's allow-list (CustomResourcesEnabled), and * which no allow-list opens. */
    @Test
    void indicesOutsideTheAllowListAreRefused() {
        create(TEAM_A, "other-indices", new MetricDefinition("ai-events-*,secrets-*", null, null, null, null,
                Aggregation.COUNT, null, "10m", null, null, null, null, null, null));
        create(TEAM_A, "every-index", new MetricDefinition("*", null, null, null, null,
                Aggregation.COUNT, null, "10m", null, null, null, null, null, null));

        awaitCondition("other-indices", "Invalid", "True", "InvalidSpec", "\"secrets-*\" is not among the indices");
        awaitCondition("every-index", "Invalid", "True", "InvalidSpec", "may not be * or _all");
        value(TEAM_A, "other-indices").statusCode(404);
        value(TEAM_A, "every-index").statusCode(404);
    }

    @Test
    void clusterScopeIsRefusedByDefault() {
        create(TEAM_A, "all-namespaces", new MetricDefinition("ai-events-*", null, Scope.CLUSTER, null, null,
                Aggregation.COUNT, null, "10m", null, null, null, null, null, null));

        awaitCondition("all-namespaces", "Invalid", "True", "InvalidSpec", "Cluster is not allowed");
        value(TEAM_A, "all-namespaces").statusCode(404);
    }

    @Test
    void aConfiguredMetricWinsANameClash() {
        create(TEAM_A, "errors", requestCount(Map.of()));

        awaitCondition("errors", "Invalid", "True", "NameConflict", "configuration already defines metric errors");
        value(TEAM_A, "errors").body("items[0].value", equalTo("10"));
    }

    @Test
    void anIndexThatDoesNotExistIsNoDataNotZero() {
        create(TEAM_A, "missing-index", new MetricDefinition("missing-" + TEAM_A, null, null, null, null,
                Aggregation.COUNT, null, null, null, null, null, null, null, null));

        awaitCondition("missing-index", "Stalled", "True", "NoIndex", "index pattern missing-" + TEAM_A + " matches no index");
        awaitCondition("missing-index", "Ready", "False", "NoIndex", "see the Stalled condition");
        value(TEAM_A, "missing-index").statusCode(503).body("reason", equalTo("ServiceUnavailable"))
                .body("message", containsString("lacks the read privilege"));
    }

    /** A label on a field mapped as text only (no keyword sub-field): Elasticsearch cannot group by it. */
    @Test
    void anElasticsearchErrorIsReported() {
        String prefix = "crd-text-" + TEAM_A + "-";
        SharedElasticsearch.node().request("PUT", "/_index_template/" + prefix + "template", """
                {"index_patterns": ["%s*"], "priority": 300,
                 "template": {"mappings": {"properties": {"@timestamp": {"type": "date"},
                     "kubernetes": {"properties": {"namespace": {"type": "keyword"}}},
                     "service": {"properties": {"name": {"type": "text"}}}}}}}""".formatted(prefix));
        Events.create().requests(1, clock.instant(), TEAM_A, "chat", 200).indexInto(SharedElasticsearch.node(), prefix);
        create(TEAM_A, "text-labels", new MetricDefinition(prefix + "*", null, null, null, null, Aggregation.COUNT,
                null, "10m", null, null, null, null, Map.of("service", "service.name"), null));

        awaitCondition("text-labels", "BackendError", "True", "SearchFailed", "field service.name is text");
        awaitCondition("text-labels", "Ready", "False", "BackendError", "");
        value(TEAM_A, "text-labels").statusCode(503).body("message", containsString("install the index template"));
    }

    private static MetricDefinition requestCount(Map<String, List<String>> extraFilter) {
        Map<String, List<String>> filter = new HashMap<>(extraFilter);
        filter.put("event.dataset", List.of("ai.request"));
        return new MetricDefinition("ai-events-*", null, null, null, filter, Aggregation.COUNT, null, "10m",
                null, null, null, null, Map.of("service", "service.name"), null);
    }

    /**
     * Creates or updates the resource; answers its resourceVersion. The adapter writes the status concurrently,
     * so an update may meet a newer resourceVersion (409): like any Kubernetes client, retry on the latest copy.
     */
    private String create(String namespace, String name, MetricDefinition spec) {
        for (int attempt = 1; ; attempt++) {
            try {
                return write(namespace, name, spec).getMetadata().getResourceVersion();
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    private ElasticsearchMetric write(String namespace, String name, MetricDefinition spec) {
        ElasticsearchMetric existing = resources(namespace).withName(name).get();
        if (existing == null) {
            ElasticsearchMetric resource = new ElasticsearchMetric();
            resource.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
            resource.setSpec(spec);
            return resources(namespace).resource(resource).create();
        }
        return resources(namespace).withName(name).edit(current -> {
            current.setSpec(spec);
            return current;
        });
    }

    private void awaitCondition(String name, String type, String status, String reason, String message) {
        await().atMost(SECONDS).untilAsserted(() -> {
            Optional<Condition> condition = condition(resources(TEAM_A).withName(name).get(), type);
            assertThat(condition).get().extracting(Condition::getStatus, Condition::getReason).containsExactly(status, reason);
            assertThat(condition.get().getMessage()).contains(message);
        });
    }

    private static Optional<Condition> condition(ElasticsearchMetric resource, String type) {
        if (resource == null || resource.getStatus() == null || resource.getStatus().conditions() == null) {
            return Optional.empty();
        }
        return resource.getStatus().conditions().stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    private NonNamespaceOperation<ElasticsearchMetric, KubernetesResourceList<ElasticsearchMetric>, Resource<ElasticsearchMetric>> resources(
            String namespace) {
        return client.resources(ElasticsearchMetric.class).inNamespace(namespace);
    }

    private static ValidatableResponse discovery() {
        return given().get(API).then().statusCode(200);
    }

    private static ValidatableResponse value(String namespace, String metric) {
        return given().get(API + "/namespaces/" + namespace + "/" + metric).then();
    }
}
