package io.esmetrics.adapter.upstream;

import static io.esmetrics.adapter.authentication.KubernetesApiAnswers.HPA_CONTROLLER;
import static io.esmetrics.adapter.testsupport.FakeExternalMetricsProvider.CLASHING_VALUE;
import static io.esmetrics.adapter.testsupport.FakeExternalMetricsProvider.HUGE_UPSTREAM;
import static io.esmetrics.adapter.testsupport.FakeExternalMetricsProvider.HUGE_UPSTREAM_VALUE;
import static io.esmetrics.adapter.testsupport.FakeExternalMetricsProvider.ONLY_UPSTREAM;
import static io.esmetrics.adapter.testsupport.FakeExternalMetricsProvider.ONLY_UPSTREAM_VALUE;
import static io.esmetrics.adapter.testsupport.FakeExternalMetricsProvider.SLOW_UPSTREAM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.esmetrics.adapter.authentication.KubernetesApiAnswers;
import io.esmetrics.adapter.authentication.SecurePki;
import io.esmetrics.adapter.testsupport.AdjustableClock;
import io.esmetrics.adapter.testsupport.ElasticsearchTestResource;
import io.esmetrics.adapter.testsupport.Events;
import io.esmetrics.adapter.testsupport.FakeExternalMetricsProvider;
import io.esmetrics.adapter.testsupport.FakeExternalMetricsProvider.Mode;
import io.esmetrics.adapter.testsupport.Kubectl;
import io.esmetrics.adapter.testsupport.SharedElasticsearch;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The adapter in front of another provider (a KEDA-shaped one over real HTTPS), as a real aggregated API server:
 * what it does not serve goes upstream after its own authentication and SubjectAccessReview, with its own credential,
 * and comes back as the provider answered; a provider that fails costs the forwarded requests only.
 */
@QuarkusTest
@TestProfile(UpstreamForwardingTest.Forwarding.class)
@WithKubernetesTestServer(crud = true)
@WithTestResource(ElasticsearchTestResource.class)
class UpstreamForwardingTest {

    /** The adapter's service account token, as the kubelet projects it. */
    static final Path TOKEN_FILE = SecurePki.DIR.resolve("upstream-token");
    static final Duration TIMEOUT = Duration.ofSeconds(1);

    public static final class Forwarding implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            FakeExternalMetricsProvider upstream = FakeExternalMetricsProvider.shared(SecurePki.DIR);
            writeToken("token-of-the-adapter");
            return Map.ofEntries(
                    Map.entry("adapter.serving.tls", "true"),
                    Map.entry("adapter.serving.cert-file", SecurePki.SERVING.certFile().toAbsolutePath().toString()),
                    Map.entry("adapter.serving.key-file", SecurePki.SERVING.keyFile().toAbsolutePath().toString()),
                    Map.entry("adapter.authentication.enabled", "true"),
                    Map.entry("adapter.upstream.url", upstream.url().toString()),
                    Map.entry("adapter.upstream.ca-file", upstream.caFile().toString()),
                    Map.entry("adapter.upstream.token-file", TOKEN_FILE.toString()),
                    Map.entry("adapter.upstream.timeout", TIMEOUT.toMillis() + "ms"),
                    Map.entry("adapter.upstream.discovery-interval", "200ms"),
                    Map.entry("adapter.upstream.always-forward", "request_rate"),
                    Map.entry("adapter.upstream.circuit-breaker.failure-threshold", "3"),
                    Map.entry("adapter.upstream.circuit-breaker.initial-pause", "1s"),
                    Map.entry("adapter.upstream.circuit-breaker.max-pause", "2s"));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final FakeExternalMetricsProvider UPSTREAM = FakeExternalMetricsProvider.shared(SecurePki.DIR);

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    KubernetesClient client;

    @Inject
    MeterRegistry registry;

    @Inject
    AdjustableClock clock;

    @TestHTTPResource(value = "/", tls = true)
    URL https;

    private final String namespace = "fwd-" + UUID.randomUUID().toString().substring(0, 8);
    private final HttpClient aggregator = SecurePki.AGGREGATOR.httpClientTrusting(SecurePki.SERVING_CA);

    @BeforeEach
    void clusterAndUpstreamAreUp() {
        KubernetesApiAnswers.install(server);
        SecurePki.publishExtensionApiserverAuthentication(client, SecurePki.extensionApiserverAuthentication(SecurePki.FRONT_PROXY_CA));
        // Events arrive, in another namespace: the adapter's own metrics of this namespace are current zeros.
        Events.create().queueSample(Instant.now().minusSeconds(1), "other-" + namespace, "chat", "q1", 1).indexInto(SharedElasticsearch.node());
        UPSTREAM.mode(Mode.NORMAL);
        UPSTREAM.restart();
        // Whatever an earlier test left of the circuit breaker's pause is moved past, by the adapter's clock.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            HttpResponse<String> response = asHpaController("/apis/external.metrics.k8s.io/v1beta1/namespaces/warm-up/" + ONLY_UPSTREAM);
            if (response.statusCode() != 200) {
                clock.advance(Duration.ofSeconds(3));
            }
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        });
    }

    @AfterEach
    void upstreamListensAgain() {
        UPSTREAM.mode(Mode.NORMAL);
        UPSTREAM.restart();
    }

    @Test
    void kubectlReadsAMetricOnlyTheUpstreamServes(@TempDir Path dir) throws Exception {
        Kubectl kubectl = SecurePki.kubectlAsAlice(dir, https.getPort());
        String path = metricPath(ONLY_UPSTREAM) + "?labelSelector=scaledobject.keda.sh%2Fname%3Dworker";

        Kubectl.Result result = kubectl.run("get", "--raw", path);

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        JsonNode item = JSON.readTree(result.stdout()).path("items").path(0);
        assertThat(item.path("value").asText()).isEqualTo(ONLY_UPSTREAM_VALUE);
        assertThat(item.path("metricLabels").path("from").asText()).isEqualTo("upstream");
        assertThat(UPSTREAM.requestsIn(namespace)).extracting(FakeExternalMetricsProvider.Request::pathAndQuery).last()
                .as("the same path and query").isEqualTo(path);
    }

    /** Explain says the metric is forwarded, shows the provider's answer and what the HPA makes of it. */
    @Test
    void explainsAMetricTheUpstreamServesByItsAnswer() throws Exception {
        String selector = "?labelSelector=scaledobject.keda.sh%2Fname%3Dworker";

        HttpResponse<String> response = asHpaController(metricPath(ONLY_UPSTREAM) + selector + "&explain=true&target=10&replicas=2");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode explanation = JSON.readTree(response.body());
        assertThat(explanation.path("kind").asText()).isEqualTo("ExternalMetricExplanation");
        assertThat(explanation.path("answer").path("from").asText()).isEqualTo("upstream");
        assertThat(explanation.path("answer").path("items").path(0).path("value").asText()).isEqualTo(ONLY_UPSTREAM_VALUE);
        assertThat(explanation.path("backend").path("computedBy").asText()).contains("forwards the request to the upstream provider");
        assertThat(explanation.path("hpa").path("desiredReplicas").asInt()).isEqualTo(5);
        assertThat(UPSTREAM.requestsIn(namespace)).extracting(FakeExternalMetricsProvider.Request::pathAndQuery).last()
                .as("the metric request, without explain's parameters").isEqualTo(metricPath(ONLY_UPSTREAM) + selector);
    }

    /**
     * Issue 23: the provider's {@code 1e40000000}, read exactly, cost half a minute of CPU and hundreds of MB. It is the
     * provider's fault, as an answer that is not Kubernetes' is: a 503 that says so, at once.
     */
    @Test
    void explainingAValueNoHpaCanHoldIsAServiceUnavailableAtOnce() throws Exception {
        HttpResponse<String> response = assertTimeoutPreemptively(Duration.ofSeconds(3),
                () -> asHpaController(metricPath(HUGE_UPSTREAM) + "?explain=true&target=10&replicas=2"));

        assertServiceUnavailable(response, "The upstream provider answered metric " + HUGE_UPSTREAM + " with the value \""
                + HUGE_UPSTREAM_VALUE + "\", which no HPA can read");
    }

    @Test
    void explainingAMetricTheUpstreamRefusesGivesItsStatus() throws Exception {
        HttpResponse<String> response = asHpaController(metricPath("no_such_metric") + "?explain=true");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(response.body()).path("message").asText()).isEqualTo("no metric no_such_metric is known to KEDA");
    }

    @Test
    void presentsItsOwnTokenAndNoneOfTheCallersIdentityHeaders() throws Exception {
        HttpResponse<String> response = send(aggregator, metricPath(ONLY_UPSTREAM), "X-Remote-User", HPA_CONTROLLER,
                "X-Remote-Group", "system:masters", "X-Remote-Extra-Scopes", "everything", "X-Remote-Uid", "uid-of-the-hpa",
                "Impersonate-User", "system:admin");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        FakeExternalMetricsProvider.Request forwarded = lastRequestIn(namespace);
        assertThat(forwarded.headers().keySet()).noneMatch(name -> name.startsWith("x-remote-") || name.startsWith("impersonate-"));
        assertThat(forwarded.header("Authorization")).containsExactly("Bearer " + Files.readString(TOKEN_FILE).strip());
    }

    /**
     * The caller chooses the name of a forwarded request and the provider may answer 200 to names it does not list:
     * such requests are counted as {@code unknown}, so the meter's label set stays as bounded as the provider's list.
     */
    @Test
    void forwardedRequestsAreCountedUnderTheirNameOnlyWhenTheProviderListsIt() throws Exception {
        await().atMost(Duration.ofSeconds(20)).until(() ->
                names(asHpaController("/apis/external.metrics.k8s.io/v1beta1")).contains(ONLY_UPSTREAM));

        assertThat(asHpaController(metricPath(ONLY_UPSTREAM)).statusCode()).isEqualTo(200);
        assertThat(asHpaController(metricPath(HUGE_UPSTREAM)).statusCode())
                .as("answered, though not listed").isEqualTo(200);

        assertThat(registry.find("esmetrics.requests").tags("metric", ONLY_UPSTREAM, "code", "200").timer()).isNotNull();
        assertThat(registry.find("esmetrics.requests").tag("metric", HUGE_UPSTREAM).timer())
                .as("a name the provider does not list").isNull();
        assertThat(registry.find("esmetrics.requests").tags("metric", "unknown", "code", "200").timer()).isNotNull();
    }

    @Test
    void aCallerDeniedHereNeverReachesTheUpstream() throws Exception {
        HttpResponse<String> response = send(aggregator, metricPath(ONLY_UPSTREAM), "X-Remote-User", "mallory");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
        assertThat(JSON.readTree(response.body()).path("reason").asText()).isEqualTo("Forbidden");
        assertThat(UPSTREAM.requestsIn(namespace)).isEmpty();
    }

    @Test
    void anUnknownMetricGetsTheUpstreamsNotFound() throws Exception {
        HttpResponse<String> response = asHpaController(metricPath("no_such_metric"));

        assertThat(response.statusCode()).isEqualTo(404);
        JsonNode status = JSON.readTree(response.body());
        assertThat(status.path("kind").asText()).isEqualTo("Status");
        assertThat(status.path("message").asText()).as("the upstream's own answer").isEqualTo("no metric no_such_metric is known to KEDA");
    }

    @Test
    void theUpstreamsErrorAnswerPassesAsItIsAndKeepsTheCircuitClosed() throws Exception {
        UPSTREAM.mode(Mode.INTERNAL_ERROR);
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> response = asHpaController(metricPath(ONLY_UPSTREAM));
            assertThat(response.statusCode()).isEqualTo(500);
            assertThat(JSON.readTree(response.body()).path("message").asText()).isEqualTo("scaler prometheus failed: connection refused");
        }
        UPSTREAM.mode(Mode.NORMAL);

        assertThat(asHpaController(metricPath(ONLY_UPSTREAM)).statusCode()).as("an answer is not a failure").isEqualTo(200);
    }

    @Test
    void anAnswerThatIsNotKubernetesIsAServiceUnavailableNamingTheUpstreamThenTheCircuitOpens() throws Exception {
        // Stopped, so that the circuit, once open, stays open until a test moves the clock.
        clock.freeze();
        UPSTREAM.mode(Mode.GARBAGE);
        String garbage = "answered 200 with a body that is not an ExternalMetricValueList";

        HttpResponse<String> first = asHpaController(metricPath(ONLY_UPSTREAM));

        assertServiceUnavailable(first, "The upstream provider (adapter.upstream.url)");
        assertThat(message(first)).contains(garbage).doesNotContain(UPSTREAM.url().toString());
        // The background discovery meets the same garbage (not an APIResourceList): its failures count too, so the
        // circuit opens within 3 and its last failure may be either.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(message(asHpaController(metricPath(ONLY_UPSTREAM))))
                .startsWith("The upstream provider (adapter.upstream.url) failed ")
                .contains("forwarded requests are paused", "answered 200 with a body that is not an")
                .doesNotContain(UPSTREAM.url().toString()));
        int asked = UPSTREAM.requestsIn(namespace).size();

        assertServiceUnavailable(asHpaController(metricPath(ONLY_UPSTREAM)), "The upstream provider (adapter.upstream.url) failed ");
        assertThat(UPSTREAM.requestsIn(namespace)).as("nothing sent while the circuit is open").hasSize(asked);
        assertThat(asked).as("sent before it opened").isBetween(1, 3);
        assertThat(asHpaController(metricPath("queue_length")).statusCode()).as("the adapter's own metric").isEqualTo(200);
    }

    @Test
    void aSlowUpstreamIsAServiceUnavailableWithinTheTimeout() throws Exception {
        UPSTREAM.mode(Mode.SLOW);
        long started = System.nanoTime();

        HttpResponse<String> response = asHpaController(metricPath(ONLY_UPSTREAM));

        // Directly: the background discovery's timeouts open the breaker of discoveries, not of forwarded requests.
        assertServiceUnavailable(response, "The upstream provider (adapter.upstream.url)");
        assertThat(message(response)).contains("did not answer within 1000 ms (adapter.upstream.timeout)").doesNotContain(UPSTREAM.url().toString());
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("answered before the provider would have")
                .isLessThan(Duration.ofMillis(FakeExternalMetricsProvider.SLOW_MILLIS));
    }

    @Test
    void anUpstreamThatTricklesItsBodyIsAServiceUnavailableWithinTheTimeout() throws Exception {
        UPSTREAM.mode(Mode.TRICKLE);
        long started = System.nanoTime();

        HttpResponse<String> response = asHpaController(metricPath(ONLY_UPSTREAM));

        assertServiceUnavailable(response, "The upstream provider (adapter.upstream.url)");
        assertThat(message(response)).contains("did not answer within 1000 ms (adapter.upstream.timeout)");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("the timeout bounds the body too")
                .isLessThan(TIMEOUT.plusMillis(1_500));
    }

    @Test
    void aMetricThatTimesOutUpstreamOpensNoCircuitForTheOthers() throws Exception {
        // At once, twice the failure threshold: no successful discovery in between could close a shared circuit.
        ExecutorService hpas = Executors.newFixedThreadPool(6);
        try {
            List<Future<HttpResponse<String>>> slow = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                slow.add(hpas.submit(() -> asHpaController(metricPath(SLOW_UPSTREAM))));
            }
            for (Future<HttpResponse<String>> response : slow) {
                assertThat(message(response.get())).as("each on its own")
                        .contains("did not answer within 1000 ms (adapter.upstream.timeout)");
            }
        } finally {
            hpas.shutdownNow();
        }

        HttpResponse<String> other = asHpaController(metricPath(ONLY_UPSTREAM));

        assertThat(other.statusCode()).as(other.body()).isEqualTo(200);
    }

    @Test
    void withTheUpstreamStoppedItsOwnMetricsAndDiscoveryStayAndTheLastUpstreamNamesAreListed() throws Exception {
        UPSTREAM.stop();
        double failedDiscoveries = discoveries("unavailable");
        await().atMost(Duration.ofSeconds(20)).until(() -> discoveries("unavailable") > failedDiscoveries);

        HttpResponse<String> forwarded = asHpaController(metricPath(ONLY_UPSTREAM));
        assertServiceUnavailable(forwarded, "The upstream provider (adapter.upstream.url)");
        assertThat(message(forwarded)).doesNotContain(UPSTREAM.url().toString()).doesNotContain(":" + UPSTREAM.url().getPort());
        assertThat(asHpaController(metricPath("queue_length")).statusCode()).isEqualTo(200);
        HttpResponse<String> discovery = asHpaController("/apis/external.metrics.k8s.io/v1beta1");
        assertThat(discovery.statusCode()).isEqualTo(200);
        assertThat(names(discovery)).contains("queue_length", "request_rate", "externalmetrics", ONLY_UPSTREAM);
        assertThat(send(aggregator, "/livez").statusCode()).isEqualTo(200);
        assertThat(send(aggregator, "/readyz").statusCode()).isEqualTo(200);
        assertThat(registry.get("esmetrics.upstream.up").gauge().value()).isZero();
    }

    @Test
    void discoveryAndOpenApiListBothProviders() throws Exception {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(names(asHpaController("/apis/external.metrics.k8s.io/v1beta1")))
                        .contains("queue_length", "request_rate", "externalmetrics", ONLY_UPSTREAM)
                        .doesNotHaveDuplicates());
        HttpResponse<String> openApi = asHpaController("/openapi/v2");

        assertThat(JSON.readTree(openApi.body()).path("paths")
                .has("/apis/external.metrics.k8s.io/v1beta1/namespaces/{namespace}/" + ONLY_UPSTREAM)).isTrue();
        assertThat(registry.get("esmetrics.upstream.up").gauge().value()).isEqualTo(1);
    }

    @Test
    void theAdaptersOwnMetricWinsAClashUnlessListedToAlwaysForward() throws Exception {
        JsonNode own = JSON.readTree(asHpaController(metricPath("queue_length")).body());
        JsonNode forwarded = JSON.readTree(asHpaController(metricPath("request_rate")).body());

        assertThat(own.path("items").path(0).path("value").asText()).isEqualTo("0");
        assertThat(forwarded.path("items").path(0).path("value").asText()).isEqualTo(CLASHING_VALUE);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(registry.get("esmetrics.upstream.name.clashes").gauge().value()).isEqualTo(2));
    }

    @Test
    void readsTheRotatedTokenWithoutARestart() throws Exception {
        String rotated = "rotated-token-" + UUID.randomUUID();
        writeToken(rotated);
        clock.advance(Duration.ofSeconds(6));

        assertThat(asHpaController(metricPath(ONLY_UPSTREAM)).statusCode()).isEqualTo(200);

        assertThat(lastRequestIn(namespace).header("Authorization")).containsExactly("Bearer " + rotated);
    }

    @Test
    void refusesAMetricNameNoProviderCouldServe() throws Exception {
        HttpResponse<String> response = asHpaController(metricPath("a%24b"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).path("message").asText()).isEqualTo("invalid metric name \"a$b\": no provider serves such a name");
        assertThat(UPSTREAM.requestsIn(namespace)).isEmpty();
    }

    private static void writeToken(String token) {
        try {
            Files.createDirectories(TOKEN_FILE.getParent());
            // As the kubelet writes it: a new file swapped in whole.
            Path next = Files.writeString(TOKEN_FILE.resolveSibling("upstream-token.next"), token + "\n");
            Files.move(next, TOKEN_FILE, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private double discoveries(String code) {
        Timer timer = registry.find("esmetrics.upstream.requests").tags("endpoint", "discovery", "code", code).timer();
        return timer == null ? 0 : timer.count();
    }

    private static String message(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body()).path("message").asText();
    }

    private static List<String> names(HttpResponse<String> discovery) throws IOException {
        return JSON.readTree(discovery.body()).path("resources").findValuesAsText("name");
    }

    private FakeExternalMetricsProvider.Request lastRequestIn(String namespace) {
        List<FakeExternalMetricsProvider.Request> requests = UPSTREAM.requestsIn(namespace);
        assertThat(requests).as("requests the upstream saw in " + namespace).isNotEmpty();
        return requests.get(requests.size() - 1);
    }

    private String metricPath(String metric) {
        return "/apis/external.metrics.k8s.io/v1beta1/namespaces/" + namespace + "/" + metric;
    }

    private HttpResponse<String> asHpaController(String path) throws Exception {
        return send(aggregator, path, "X-Remote-User", HPA_CONTROLLER);
    }

    private HttpResponse<String> send(HttpClient http, String path, String... headers) throws Exception {
        return SecurePki.send(http, https.getPort(), path, headers);
    }

    private static void assertServiceUnavailable(HttpResponse<String> response, String messageStart) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
        JsonNode status = JSON.readTree(response.body());
        assertThat(status.path("kind").asText()).isEqualTo("Status");
        assertThat(status.path("reason").asText()).isEqualTo("ServiceUnavailable");
        assertThat(status.path("message").asText()).startsWith(messageStart);
    }
}
