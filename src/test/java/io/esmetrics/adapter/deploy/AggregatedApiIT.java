package io.esmetrics.adapter.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.esmetrics.adapter.testsupport.ControlPlane;
import io.esmetrics.adapter.testsupport.Events;
import io.esmetrics.adapter.testsupport.Kubectl;
import io.esmetrics.adapter.testsupport.SharedControlPlane;
import io.esmetrics.adapter.testsupport.SharedElasticsearch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged adapter behind the real kube-aggregator ({@link AggregatedAdapter}): what a platform engineer sees
 * with the real {@code kubectl get --raw}, and what the API server logs of it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AggregatedApiIT {

    private static final String GROUP_VERSION = "/apis/external.metrics.k8s.io/v1beta1";
    private static final String TEAM = "aggregated-" + UUID.randomUUID().toString().substring(0, 8);

    @TempDir
    static Path dir;
    private static ControlPlane controlPlane;
    private static AggregatedAdapter adapter;

    @BeforeAll
    static void install() throws Exception {
        controlPlane = SharedControlPlane.get();
        adapter = AggregatedAdapter.install(controlPlane, SharedElasticsearch.node(), Map.of());
    }

    @AfterAll
    static void uninstall() throws Exception {
        if (adapter != null) {
            adapter.close();
        }
    }

    /** Every test but the first finds the adapter serving, whichever runs alone. */
    @BeforeEach
    void adapterServes(org.junit.jupiter.api.TestInfo test) throws Exception {
        if (!test.getTestMethod().orElseThrow().getName().startsWith("apiServiceTurnsAvailable")) {
            adapter.start();
            adapter.awaitAvailable();
        }
    }

    /**
     * The shipped APIService has no caBundle: the aggregator cannot trust any certificate before the adapter writes
     * its CA there, so the APIService may not read Available before that, and does once it has.
     */
    @Test
    @Order(1)
    void apiServiceTurnsAvailableOnlyOnceTheAdapterFilledItsCaBundle() throws Exception {
        assertThat(adapter.apiService().at("/spec/caBundle").asText()).as("caBundle before the adapter ran").isEmpty();

        adapter.start();
        List<String> availableWithoutCaBundle = new ArrayList<>();
        await("APIService Available=True").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> {
            JsonNode apiService = adapter.apiService();
            boolean available = false;
            for (JsonNode condition : apiService.at("/status/conditions")) {
                available |= condition.path("type").asText().equals("Available") && condition.path("status").asText().equals("True");
            }
            if (available && apiService.at("/spec/caBundle").asText().isEmpty()) {
                availableWithoutCaBundle.add(apiService.toString());
            }
            return available;
        });

        assertThat(availableWithoutCaBundle).isEmpty();
        String caBundle = new String(Base64.getDecoder().decode(adapter.apiService().at("/spec/caBundle").asText()),
                StandardCharsets.US_ASCII);
        JsonNode secret = Manifests.yaml(controlPlane.kubectl().run("get", "secret",
                "es-metrics-adapter-tls", "-n", AggregatedAdapter.NAMESPACE, "-o", "json").requireSuccess().stdout());
        String secretCas = new String(Base64.getDecoder().decode(secret.at("/data/ca.crt").asText()), StandardCharsets.US_ASCII);
        assertThat(caBundle.strip()).as("the caBundle is the CAs of the adapter's Secret").isEqualTo(secretCas.strip());
    }

    @Test
    @Order(2)
    void discoveryListsTheMetricsThroughTheAggregator() throws Exception {
        Kubectl.Result discovery = controlPlane.kubectl().run("get", "--raw", GROUP_VERSION).requireSuccess();
        JsonNode resources = Manifests.yaml(discovery.stdout());
        assertThat(resources.path("groupVersion").asText()).isEqualTo("external.metrics.k8s.io/v1beta1");
        List<String> names = new ArrayList<>();
        resources.path("resources").forEach(resource -> names.add(resource.path("name").asText()));
        assertThat(names).contains("queue_length", "request_rate");

        // kubectl api-resources reads the aggregated discovery document (/apis, v2), not the group's own.
        Kubectl.Result apiResources = controlPlane.kubectl().run("api-resources",
                "--api-group=external.metrics.k8s.io", "-o", "name").requireSuccess();
        assertThat(apiResources.stdout().lines()).contains("queue_length.external.metrics.k8s.io",
                "request_rate.external.metrics.k8s.io");
    }

    @Test
    @Order(3)
    void valuesAreElasticsearchsThroughTheAggregator() throws Exception {
        Instant now = Instant.now();
        Events.create()
                .queueSample(now.minusSeconds(20), TEAM, "chat", "inference", 31)
                .queueSample(now.minusSeconds(2), TEAM, "chat", "inference", 30)
                .queueSample(now.minusSeconds(2), TEAM, "chat", "batch", 20)
                .queueSample(now.minusSeconds(2), TEAM, "embeddings", "inference", 7)
                .indexInto(SharedElasticsearch.node());

        JsonNode list = Manifests.yaml(controlPlane.kubectl().run("get", "--raw",
                GROUP_VERSION + "/namespaces/" + TEAM + "/queue_length?labelSelector=service%3Dchat").requireSuccess().stdout());

        assertThat(list.path("kind").asText()).isEqualTo("ExternalMetricValueList");
        Map<String, String> byQueue = new java.util.TreeMap<>();
        list.path("items").forEach(item -> byQueue.put(item.at("/metricLabels/queue").asText(), item.path("value").asText()));
        // The newest sample of each queue of chat, nothing of embeddings: what Elasticsearch holds.
        assertThat(byQueue).containsExactlyInAnyOrderEntriesOf(Map.of("inference", "30", "batch", "20"));
    }

    @Test
    @Order(4)
    void explainAnswersThroughTheAggregator() throws Exception {
        Events.create().queueSample(Instant.now().minusSeconds(2), TEAM, "chat", "inference", 12).indexInto(SharedElasticsearch.node());

        JsonNode explanation = Manifests.yaml(controlPlane.kubectl().run("get", "--raw",
                GROUP_VERSION + "/namespaces/" + TEAM + "/queue_length?labelSelector=service%3Dchat&explain=true&target=10").requireSuccess()
                .stdout());

        assertThat(explanation.path("kind").asText()).isEqualTo("ExternalMetricExplanation");
        assertThat(explanation.path("namespace").asText()).isEqualTo(TEAM);
        assertThat(explanation.at("/answer/code").asInt()).isEqualTo(200);
    }

    /**
     * A caller the RBAC does not allow to read the metric: refused with a 403 Status, which the real kubectl shows as
     * such. (The API server authorizes the request before the aggregator proxies it; the adapter's own
     * SubjectAccessReview is the second check, seen in the next test.)
     */
    @Test
    @Order(5)
    void aCallerWithoutRbacGetsAForbiddenStatus() throws Exception {
        ClusterUsers.User stranger = ClusterUsers.create(controlPlane, dir, TEAM, "stranger", null);

        Kubectl.Result refused = stranger.kubectl().run("get", "--raw", GROUP_VERSION + "/namespaces/" + TEAM + "/queue_length");

        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.stderr()).contains("Error from server (Forbidden)")
                .contains("\"" + stranger.name() + "\" cannot list resource \"queue_length\" in API group \"external.metrics.k8s.io\"");
    }

    /**
     * A caller the RBAC allows: the aggregator passes its name, groups and uid on, and the adapter asks the API server
     * about that very identity, uid included (the audit log holds the SubjectAccessReviews' bodies).
     */
    @Test
    @Order(6)
    void theCallersUidReachesTheAdaptersSubjectAccessReview() throws Exception {
        ClusterUsers.User reader = ClusterUsers.create(controlPlane, dir, TEAM, "reader", "es-metrics-adapter:external-metrics-reader");

        Kubectl.Result answer = reader.kubectl().run("get", "--raw", GROUP_VERSION + "/namespaces/" + TEAM + "/queue_length");

        assertThat(answer.exitCode()).as(answer.stderr()).isZero();
        String adapterAccount = "system:serviceaccount:" + AggregatedAdapter.NAMESPACE + ":es-metrics-adapter";
        await("the adapter's SubjectAccessReview in the audit log").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<JsonNode> reviews = new ArrayList<>();
            for (String line : Files.readAllLines(controlPlane.auditLog())) {
                if (line.contains("\"subjectaccessreviews\"") && line.contains(reader.name())) {
                    JsonNode event = Manifests.yaml(line);
                    if (event.at("/user/username").asText().equals(adapterAccount)) {
                        reviews.add(event.path("requestObject"));
                    }
                }
            }
            assertThat(reviews).as("SubjectAccessReviews the adapter asked about %s", reader.name()).isNotEmpty()
                    .allSatisfy(review -> {
                        assertThat(review.at("/spec/uid").asText()).isEqualTo(reader.uid());
                        assertThat(review.at("/spec/resourceAttributes/namespace").asText()).isEqualTo(TEAM);
                        assertThat(review.at("/spec/resourceAttributes/resource").asText()).isEqualTo("queue_length");
                    });
        });
    }

    /**
     * The aggregator downloads the adapter's OpenAPI documents and merges them into the cluster's, with no error logged
     * while the adapter serves (before it did, the API server logs that the download failed, which says nothing of
     * the documents).
     */
    @Test
    @Order(7)
    void theAggregatedOpenApiHoldsTheMetricsPaths() throws Exception {
        long serving = Files.size(controlPlane.apiServerLog());
        String path = GROUP_VERSION + "/namespaces/{namespace}/queue_length";
        await("the adapter's paths in the aggregated OpenAPI v2").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(Manifests.yaml(controlPlane.kubectl()
                        .run("get", "--raw", "/openapi/v2").requireSuccess().stdout()).path("paths").has(path)).isTrue());

        JsonNode v3 = Manifests.yaml(controlPlane.kubectl().run("get", "--raw",
                "/openapi/v3/apis/external.metrics.k8s.io/v1beta1").requireSuccess().stdout());
        assertThat(v3.path("paths").has(path)).isTrue();

        String logSinceServing;
        try (var log = Files.newInputStream(controlPlane.apiServerLog())) {
            log.skipNBytes(serving);
            logSinceServing = new String(log.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> aggregationErrors = logSinceServing.lines()
                .filter(line -> line.contains("v1beta1.external.metrics.k8s.io"))
                .filter(line -> line.toLowerCase(java.util.Locale.ROOT).contains("openapi"))
                .filter(line -> line.startsWith("E") || line.contains("rror"))
                .toList();
        assertThat(aggregationErrors).as("OpenAPI aggregation errors in the API server's log").isEmpty();
    }

    /**
     * What the packaged adapter logs on a real control plane, configured as the docs say: no configuration warning
     * (Quarkus names a build-time property set at run time with its value) and no error.
     */
    @Test
    @Order(8)
    void theAdapterLogsNoConfigurationWarningAndNoError() throws Exception {
        List<String> lines = Files.readAllLines(adapter.log());

        assertThat(lines).as("the adapter's log").isNotEmpty()
                .noneMatch(line -> line.contains("Build time property cannot be changed"))
                .noneMatch(line -> line.contains(" ERROR "));
    }
}
