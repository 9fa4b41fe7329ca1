package io.esmetrics.adapter.authentication;

import static io.esmetrics.adapter.authentication.KubernetesApiAnswers.HPA_CONTROLLER;
import static io.esmetrics.adapter.authentication.KubernetesApiAnswers.SUBJECT_ACCESS_REVIEWS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import io.esmetrics.adapter.testsupport.SharedElasticsearch;
import io.esmetrics.adapter.testsupport.Events;
import io.esmetrics.adapter.testsupport.ElasticsearchTestResource;
import io.esmetrics.adapter.testsupport.Kubectl;
import io.esmetrics.adapter.testsupport.TestPki;
import io.esmetrics.adapter.testsupport.TestPki.Issued;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.IntStream;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.io.TempDir;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The adapter as a real aggregated API server: HTTPS with generated certificates, the authentication chain
 * (front proxy, client certificate, TokenReview) and SubjectAccessReview, against the fabric8 mock API server.
 */
@QuarkusTest
@TestProfile(SecureServingTest.Secure.class)
@WithKubernetesTestServer(crud = true)
@WithTestResource(ElasticsearchTestResource.class)
class SecureServingTest {

    public static final class Secure implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "adapter.serving.tls", "true",
                    "adapter.serving.cert-file", SecurePki.SERVING.certFile().toAbsolutePath().toString(),
                    "adapter.serving.key-file", SecurePki.SERVING.keyFile().toAbsolutePath().toString(),
                    "adapter.serving.reload-interval", "1s",
                    "adapter.authentication.enabled", "true");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NAMESPACE = "team-" + UUID.randomUUID().toString().substring(0, 8);

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    KubernetesClient client;

    @TestHTTPResource(value = "/", tls = true)
    URL https;

    /** Events arrive, in another namespace: the metrics of NAMESPACE are current zeros. */
    @BeforeEach
    void eventsArrive() {
        Events.create().queueSample(Instant.now().minusSeconds(1), "other-" + NAMESPACE, "chat", "q1", 1).indexInto(SharedElasticsearch.node());
    }

    @BeforeEach
    void clusterTrustsTheFrontProxyCa() {
        KubernetesApiAnswers.install(server);
        trustFrontProxyCa(SecurePki.FRONT_PROXY_CA);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(asAggregator(SecurePki.AGGREGATOR, HPA_CONTROLLER, "/apis").statusCode()).isEqualTo(200));
    }

    @Test
    void servesTheHpaControllerThroughTheAggregatorAndAsksTheRightQuestion() throws Exception {
        HttpResponse<String> response = send(SecurePki.AGGREGATOR.httpClientTrusting(SecurePki.SERVING_CA), metricPath("request_rate"),
                "X-Remote-User", HPA_CONTROLLER, "X-Remote-Group", "system:serviceaccounts",
                "X-Remote-Group", "system:authenticated", "X-Remote-Extra-Scopes", "read");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).path("kind").asText()).isEqualTo("ExternalMetricValueList");
        JsonNode spec = lastReviewOf(HPA_CONTROLLER).path("spec");
        assertThat(spec.path("groups")).extracting(JsonNode::asText).containsExactly("system:serviceaccounts", "system:authenticated");
        assertThat(spec.path("extra").path("scopes").path(0).asText()).isEqualTo("read");
        JsonNode attributes = spec.path("resourceAttributes");
        assertThat(attributes.path("verb").asText()).isEqualTo("list");
        assertThat(attributes.path("group").asText()).isEqualTo("external.metrics.k8s.io");
        assertThat(attributes.path("version").asText()).isEqualTo("v1beta1");
        assertThat(attributes.path("resource").asText()).isEqualTo("request_rate");
        assertThat(attributes.path("namespace").asText()).isEqualTo(NAMESPACE);
    }

    @Test
    void answersForbiddenWhenTheSubjectAccessReviewDenies() throws Exception {
        HttpResponse<String> response = asAggregator(SecurePki.AGGREGATOR, "mallory", metricPath("queue_length"));

        assertStatus(response, 403, "Forbidden");
        assertThat(JSON.readTree(response.body()).path("message").asText())
                .isEqualTo("external.metrics.k8s.io \"queue_length\" is forbidden: User \"mallory\" cannot list resource "
                        + "\"queue_length\" in API group \"external.metrics.k8s.io\" in the namespace \"" + NAMESPACE + "\"");
    }

    /** A team explains only what it may read: explain asks the same SubjectAccessReview as the values. */
    @Test
    void authorizesExplainAsTheMetricItself() throws Exception {
        HttpResponse<String> denied = asAggregator(SecurePki.AGGREGATOR, "mallory", metricPath("queue_length") + "?explain=true");
        HttpResponse<String> allowed = asAggregator(SecurePki.AGGREGATOR, HPA_CONTROLLER, metricPath("request_rate") + "?explain=true");

        assertStatus(denied, 403, "Forbidden");
        assertThat(JSON.readTree(denied.body()).path("message").asText()).contains("cannot list resource \"queue_length\"");
        assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(200);
        assertThat(JSON.readTree(allowed.body()).path("kind").asText()).isEqualTo("ExternalMetricExplanation");
        JsonNode attributes = lastReviewOf(HPA_CONTROLLER).path("spec").path("resourceAttributes");
        assertThat(attributes.path("verb").asText()).isEqualTo("list");
        assertThat(attributes.path("resource").asText()).isEqualTo("request_rate");
        assertThat(attributes.path("namespace").asText()).isEqualTo(NAMESPACE);
    }

    @Test
    void ignoresIdentityHeadersWithoutAFrontProxyCertificate() throws Exception {
        HttpResponse<String> response = send(TestPki.anonymousClientTrusting(SecurePki.SERVING_CA), metricPath("queue_length"),
                "X-Remote-User", HPA_CONTROLLER, "X-Remote-Group", "system:masters");

        assertStatus(response, 401, "Unauthorized");
    }

    /** Only a front-proxy certificate makes identity headers count: a client certificate's own identity wins. */
    @Test
    void ignoresIdentityHeadersSentWithAClientCertificate() throws Exception {
        String namespace = "headers-" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> response = send(SecurePki.ALICE.httpClientTrusting(SecurePki.SERVING_CA),
                "/apis/external.metrics.k8s.io/v1beta1/namespaces/" + namespace + "/queue_length",
                "X-Remote-User", "mallory", "X-Remote-Group", "system:masters", "X-Remote-Extra-Scopes", "everything");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode spec = reviewIn(namespace).path("spec");
        assertThat(spec.path("user").asText()).isEqualTo("alice");
        assertThat(spec.path("groups")).extracting(JsonNode::asText).containsExactly("metrics-readers", "team-a");
        assertThat(spec.path("extra").isEmpty()).isTrue();
    }

    @Test
    void ignoresIdentityHeadersSentWithABearerToken() throws Exception {
        String namespace = "headers-" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> response = send(TestPki.anonymousClientTrusting(SecurePki.SERVING_CA),
                "/apis/external.metrics.k8s.io/v1beta1/namespaces/" + namespace + "/queue_length",
                "Authorization", "Bearer " + KubernetesApiAnswers.VALID_TOKEN,
                "X-Remote-User", "mallory", "X-Remote-Group", "system:masters");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode spec = reviewIn(namespace).path("spec");
        assertThat(spec.path("user").asText()).isEqualTo("bob");
        assertThat(spec.path("uid").asText()).as("the uid of the TokenReview").isEqualTo(KubernetesApiAnswers.BOB_UID);
        assertThat(spec.path("groups")).extracting(JsonNode::asText).containsExactly("system:authenticated");
    }

    /** Kubernetes 1.32+ names a uid header; from 1.33 the aggregator sends it: it belongs to every review. */
    @Test
    void sendsTheUidOfAVerifiedFrontProxyInTheSubjectAccessReview() throws Exception {
        try {
            trustFrontProxyCa(SecurePki.extensionApiserverAuthenticationWithUid(SecurePki.FRONT_PROXY_CA));
            HttpClient aggregator = SecurePki.AGGREGATOR.httpClientTrusting(SecurePki.SERVING_CA);
            HttpClient alice = SecurePki.ALICE.httpClientTrusting(SecurePki.SERVING_CA);

            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                String namespace = "uid-" + UUID.randomUUID().toString().substring(0, 8);
                assertThat(send(aggregator, pathIn(namespace), "X-Remote-User", HPA_CONTROLLER, "X-Remote-Uid", "uid-of-the-hpa")
                        .statusCode()).isEqualTo(200);
                assertThat(reviewIn(namespace).path("spec").path("uid").asText()).isEqualTo("uid-of-the-hpa");
            });
            String fromAlice = "uid-" + UUID.randomUUID().toString().substring(0, 8);
            assertThat(send(alice, pathIn(fromAlice), "X-Remote-Uid", "forged-uid").statusCode()).isEqualTo(200);
            assertThat(reviewIn(fromAlice).path("spec").has("uid")).as("a uid sent without the front-proxy certificate").isFalse();
        } finally {
            trustFrontProxyCa(SecurePki.FRONT_PROXY_CA);
        }
    }

    /** A ConfigMap without requestheader-uid-headers (before 1.32): as before, no header carries a uid. */
    @Test
    void takesNoUidFromHeadersTheClusterDoesNotName() throws Exception {
        String namespace = "uid-" + UUID.randomUUID().toString().substring(0, 8);

        HttpResponse<String> response = send(SecurePki.AGGREGATOR.httpClientTrusting(SecurePki.SERVING_CA), pathIn(namespace),
                "X-Remote-User", HPA_CONTROLLER, "X-Remote-Uid", "uid-of-the-hpa");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(reviewIn(namespace).path("spec").has("uid")).isFalse();
    }

    @Test
    void refusesWhenTheSubjectAccessReviewAnswersWithoutADecision() throws Exception {
        HttpResponse<String> response = asAggregator(SecurePki.AGGREGATOR, "sar-silent", metricPath("queue_length"));

        assertStatus(response, 403, "Forbidden");
        assertThat(JSON.readTree(response.body()).path("message").asText()).startsWith("external.metrics.k8s.io \"queue_length\" is forbidden: "
                + "User \"sar-silent\" cannot list resource");
    }

    @Test
    void failsClosedWhenTheSubjectAccessReviewApiDoesNotAnswerInTime() throws Exception {
        HttpResponse<String> response = asAggregator(SecurePki.AGGREGATOR, "sar-slow", metricPath("queue_length"));

        assertStatus(response, 503, "ServiceUnavailable");
        assertThat(JSON.readTree(response.body()).path("message").asText())
                .isEqualTo("cannot authorize the request: the SubjectAccessReview API did not answer");
    }

    @Test
    void refusesABearerTokenWhenTheTokenReviewApiFails() throws Exception {
        HttpResponse<String> response = send(TestPki.anonymousClientTrusting(SecurePki.SERVING_CA), metricPath("queue_length"),
                "Authorization", "Bearer " + KubernetesApiAnswers.TOKEN_REVIEW_FAILS);

        assertStatus(response, 401, "Unauthorized");
        assertThat(JSON.readTree(response.body()).path("message").asText())
                .isEqualTo("cannot verify the bearer token: the TokenReview API did not answer");
    }

    @Test
    void refusesAFrontProxyCertificateFromAnotherCa() throws Exception {
        assertStatus(asAggregator(SecurePki.ROGUE_AGGREGATOR, HPA_CONTROLLER, metricPath("queue_length")), 401, "Unauthorized");
    }

    @Test
    void refusesAFrontProxyCertificateWhoseNameIsNotAllowed() throws Exception {
        assertStatus(asAggregator(SecurePki.NOT_ALLOWED_PROXY, HPA_CONTROLLER, metricPath("queue_length")), 401, "Unauthorized");
    }

    @Test
    void failsClosedWhenTheSubjectAccessReviewApiFails() throws Exception {
        HttpResponse<String> response = asAggregator(SecurePki.AGGREGATOR, "sar-down", metricPath("queue_length"));

        assertStatus(response, 503, "ServiceUnavailable");
        assertThat(response.body()).contains("SubjectAccessReview");
    }

    @Test
    void followsARotatedFrontProxyCaWithoutRestart() throws Exception {
        try {
            trustFrontProxyCa(SecurePki.ROTATED_FRONT_PROXY_CA);

            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(asAggregator(SecurePki.ROTATED_AGGREGATOR, HPA_CONTROLLER, metricPath("queue_length")).statusCode()).isEqualTo(200);
                assertThat(asAggregator(SecurePki.AGGREGATOR, HPA_CONTROLLER, metricPath("queue_length")).statusCode()).isEqualTo(401);
            });
        } finally {
            trustFrontProxyCa(SecurePki.FRONT_PROXY_CA);
        }
    }

    @Test
    void refusesAnExpiredClientCertificate() throws Exception {
        assertStatus(send(SecurePki.EXPIRED_ALICE.httpClientTrusting(SecurePki.SERVING_CA), metricPath("queue_length")), 401, "Unauthorized");
    }

    @Test
    void takesUserFromCommonNameAndGroupsFromOrganizationsOfAClientCertificate() throws Exception {
        HttpResponse<String> response = send(SecurePki.ALICE.httpClientTrusting(SecurePki.SERVING_CA), metricPath("queue_length"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(lastReviewOf("alice").path("spec").path("groups")).extracting(JsonNode::asText)
                .containsExactly("metrics-readers", "team-a");
    }

    @Test
    void acceptsAValidBearerTokenAndRefusesAnInvalidOne() throws Exception {
        HttpClient anonymous = TestPki.anonymousClientTrusting(SecurePki.SERVING_CA);

        assertThat(send(anonymous, metricPath("queue_length"), "Authorization", "Bearer " + KubernetesApiAnswers.VALID_TOKEN)
                .statusCode()).isEqualTo(200);
        assertStatus(send(anonymous, metricPath("queue_length"), "Authorization", "Bearer forged"), 401, "Unauthorized");
    }

    @Test
    void discoveryAndOpenApiNeedAnIdentityButNoPermission() throws Exception {
        HttpClient anonymous = TestPki.anonymousClientTrusting(SecurePki.SERVING_CA);

        for (String path : List.of("/apis/external.metrics.k8s.io/v1beta1", "/openapi/v2", "/openapi/v3")) {
            assertStatus(send(anonymous, path), 401, "Unauthorized");
            assertThat(asAggregator(SecurePki.AGGREGATOR, "mallory", path).statusCode()).as(path).isEqualTo(200);
        }
    }

    @Test
    void probesNeedNoIdentity() throws Exception {
        HttpClient anonymous = TestPki.anonymousClientTrusting(SecurePki.SERVING_CA);

        assertThat(send(anonymous, "/livez").statusCode()).isEqualTo(200);
        assertThat(send(anonymous, "/readyz").statusCode()).isEqualTo(200);
    }

    @Test
    void asksOneSubjectAccessReviewForConcurrentRequestsWithTheSameQuestion() throws Exception {
        String namespace = "burst-" + UUID.randomUUID().toString().substring(0, 8);
        String path = "/apis/external.metrics.k8s.io/v1beta1/namespaces/" + namespace + "/queue_length";
        HttpClient aggregator = SecurePki.AGGREGATOR.httpClientTrusting(SecurePki.SERVING_CA);

        List<CompletableFuture<HttpResponse<String>>> responses = IntStream.range(0, 20)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> {
                    try {
                        return send(aggregator, path, "X-Remote-User", HPA_CONTROLLER);
                    } catch (Exception e) {
                        throw new CompletionException(e);
                    }
                }))
                .toList();

        for (CompletableFuture<HttpResponse<String>> response : responses) {
            assertThat(response.join().statusCode()).as(response.join().body()).isEqualTo(200);
        }
        assertThat(SUBJECT_ACCESS_REVIEWS).filteredOn(review ->
                review.path("spec").path("resourceAttributes").path("namespace").asText().equals(namespace)).hasSize(1);
    }

    @Test
    void letsSystemMastersThroughWithoutAsking() throws Exception {
        HttpResponse<String> response = send(SecurePki.AGGREGATOR.httpClientTrusting(SecurePki.SERVING_CA), metricPath("queue_length"),
                "X-Remote-User", "cluster-admin-1", "X-Remote-Group", "system:masters");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(SUBJECT_ACCESS_REVIEWS).noneMatch(review -> review.path("spec").path("user").asText().equals("cluster-admin-1"));
    }

    @Test
    void servesARotatedCertificateWithoutRestart() throws Exception {
        BigInteger before = servedCertificate().getSerialNumber();

        Issued rotated = TestPki.issueServerCertificate(SecurePki.DIR, "serving", SecurePki.SERVING_CA, "es-metrics-adapter",
                List.of("localhost", "127.0.0.1"));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(servedCertificate().getSerialNumber()).isEqualTo(rotated.certificate().getSerialNumber()).isNotEqualTo(before));
    }

    @Test
    void kubectlReadsAMetricWithAClientCertificate(@TempDir Path dir) throws Exception {
        Kubectl kubectl = SecurePki.kubectlAsAlice(dir, https.getPort());

        Kubectl.Result result = kubectl.run("get", "--raw", metricPath("queue_length"));

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(JSON.readTree(result.stdout()).path("items").path(0).path("value").asText()).isEqualTo("0");
    }

    private X509Certificate servedCertificate() throws Exception {
        try (SSLSocket socket = (SSLSocket) TestPki.sslContext(null, SecurePki.SERVING_CA).getSocketFactory()
                .createSocket("localhost", https.getPort())) {
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    private void trustFrontProxyCa(Issued frontProxyCa) {
        trustFrontProxyCa(SecurePki.extensionApiserverAuthentication(frontProxyCa));
    }

    private void trustFrontProxyCa(Map<String, String> extensionApiserverAuthentication) {
        SecurePki.publishExtensionApiserverAuthentication(client, extensionApiserverAuthentication);
    }

    private static String pathIn(String namespace) {
        return "/apis/external.metrics.k8s.io/v1beta1/namespaces/" + namespace + "/queue_length";
    }

    private HttpResponse<String> asAggregator(Issued certificate, String user, String path) throws Exception {
        return send(certificate.httpClientTrusting(SecurePki.SERVING_CA), path, "X-Remote-User", user);
    }

    private static String metricPath(String metric) {
        return "/apis/external.metrics.k8s.io/v1beta1/namespaces/" + NAMESPACE + "/" + metric;
    }

    private HttpResponse<String> send(HttpClient http, String path, String... headers) throws Exception {
        return SecurePki.send(http, https.getPort(), path, headers);
    }

    private static JsonNode reviewIn(String namespace) {
        return SUBJECT_ACCESS_REVIEWS.stream()
                .filter(review -> review.path("spec").path("resourceAttributes").path("namespace").asText().equals(namespace))
                .reduce((first, second) -> second).orElseThrow(() -> new AssertionError("no SubjectAccessReview in " + namespace));
    }

    private static JsonNode lastReviewOf(String user) {
        return SUBJECT_ACCESS_REVIEWS.stream().filter(review -> review.path("spec").path("user").asText().equals(user))
                .reduce((first, second) -> second).orElseThrow(() -> new AssertionError("no SubjectAccessReview for " + user));
    }

    private static void assertStatus(HttpResponse<String> response, int code, String reason) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(code);
        JsonNode status = JSON.readTree(response.body());
        assertThat(status.path("kind").asText()).isEqualTo("Status");
        assertThat(status.path("apiVersion").asText()).isEqualTo("v1");
        assertThat(status.path("status").asText()).isEqualTo("Failure");
        assertThat(status.path("code").asInt()).isEqualTo(code);
        assertThat(status.path("reason").asText()).isEqualTo(reason);
        assertThat(status.path("message").asText()).isNotBlank();
    }
}
