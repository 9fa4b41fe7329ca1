package io.esmetrics.adapter.externalmetrics;

import io.esmetrics.adapter.testsupport.AdjustableClock;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.esmetrics.adapter.testsupport.ElasticsearchTestResource;
import io.esmetrics.adapter.testsupport.Events;
import io.esmetrics.adapter.testsupport.Kubectl;
import io.esmetrics.adapter.testsupport.Kubectl.Result;
import io.esmetrics.adapter.testsupport.SharedElasticsearch;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a platform engineer sees: the real kubectl, reading the adapter as it would through the API server. */
@QuarkusTest
@WithTestResource(ElasticsearchTestResource.class)
class KubectlGetRawTest {

    private static final String TEAM = "kubectl-" + UUID.randomUUID().toString().substring(0, 8);

    @TestHTTPResource("/")
    URL adapter;

    @TempDir
    Path tempDir;

    /** The adapter's clock stands still at the time the events are indexed around. */
    @BeforeAll
    static void indexEvents() {
        Instant now = AdjustableClock.ofRunningAdapter().freeze();
        // By hand: the latest sample of each queue of "chat" is 4 and 8 → 12; search is not selected.
        Events.create()
                .queueSample(now.minusSeconds(60), TEAM, "chat", "q1", 1)
                .queueSample(now.minusSeconds(15), TEAM, "chat", "q1", 4)
                .queueSample(now.minusSeconds(15), TEAM, "chat", "q2", 8)
                .queueSample(now.minusSeconds(15), TEAM, "search", "q1", 100)
                .indexInto(SharedElasticsearch.node());
    }

    @Test
    void showsTheValueComputedFromTheIndexedEvents() throws Exception {
        Result result = kubectl("get", "--raw",
                "/apis/external.metrics.k8s.io/v1beta1/namespaces/" + TEAM + "/queue_length?labelSelector=service%3Dchat");

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        JsonNode list = new ObjectMapper().readTree(result.stdout());
        assertThat(list.path("kind").asText()).isEqualTo("ExternalMetricValueList");
        long totalMillis = 0;
        for (JsonNode item : list.path("items")) {
            totalMillis += io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(
                    new io.fabric8.kubernetes.api.model.Quantity(item.path("value").asText())).movePointRight(3).longValueExact();
        }
        assertThat(totalMillis).isEqualTo(12_000);
    }

    /** The troubleshooting page's first command, with the HPA's target: what the HPA will compute, and why. */
    @Test
    void explainsTheMetricAndWhatTheHpaComputes() throws Exception {
        Result result = kubectl("get", "--raw", "/apis/external.metrics.k8s.io/v1beta1/namespaces/" + TEAM
                + "/queue_length?labelSelector=service%3Dchat&explain=true&target=5&replicas=2");

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        JsonNode explanation = new ObjectMapper().readTree(result.stdout());
        assertThat(explanation.path("kind").asText()).isEqualTo("ExternalMetricExplanation");
        assertThat(explanation.path("rule").path("source").asText()).isEqualTo("built-in");
        assertThat(explanation.path("hpa").path("total").asText()).isEqualTo("12");
        assertThat(explanation.path("hpa").path("desiredReplicas").asInt()).isEqualTo(3);
        assertThat(explanation.path("backend").path("request").path("console").asText()).startsWith("POST /ai-events-*/_search");
    }

    @Test
    void printsNotFoundForAnUnknownMetric() throws Exception {
        Result result = kubectl("get", "--raw", "/apis/external.metrics.k8s.io/v1beta1/namespaces/" + TEAM + "/nope");

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.stderr()).contains(
                "Error from server (NotFound): the server could not find the metric nope for namespace " + TEAM);
    }

    @Test
    void printsBadRequestForAMalformedSelector() throws Exception {
        Result result = kubectl("get", "--raw",
                "/apis/external.metrics.k8s.io/v1beta1/namespaces/" + TEAM + "/queue_length?labelSelector=service+in+%28a");

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.stderr()).contains("Error from server (BadRequest): unable to parse requirement");
    }

    @Test
    void discoversTheMetricsAsAnApiResource() throws Exception {
        Result result = kubectl("get", "--raw", "/apis/external.metrics.k8s.io/v1beta1");

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stdout()).contains("\"name\":\"queue_length\"", "\"name\":\"request_rate\"");
    }

    @Test
    void explainsTheMetricValuesFromTheOpenApiDocument() throws Exception {
        Result result = kubectl("explain", "queue_length", "--api-version=external.metrics.k8s.io/v1beta1");

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stdout()).contains("GROUP:      external.metrics.k8s.io", "KIND:       ExternalMetricValueList",
                "VERSION:    v1beta1", "items\t<[]ExternalMetricValue> -required-");

        Result field = kubectl("explain", "queue_length.items.value", "--api-version=external.metrics.k8s.io/v1beta1");
        assertThat(field.exitCode()).as(field.stderr()).isZero();
        assertThat(field.stdout()).contains("FIELD: value <string>", "canonical form");
    }

    private Result kubectl(String... args) throws IOException, InterruptedException {
        return Kubectl.configure(tempDir, adapter.toString().replaceAll("/$", ""), Map.of(),
                Map.of("token", "not-checked-in-this-profile")).run(args);
    }
}
