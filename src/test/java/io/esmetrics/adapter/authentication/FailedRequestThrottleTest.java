package io.esmetrics.adapter.authentication;

import static io.esmetrics.adapter.authentication.KubernetesApiAnswers.HPA_CONTROLLER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.esmetrics.adapter.testsupport.ElasticsearchTestResource;
import io.esmetrics.adapter.testsupport.TestPki;
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
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The attack of issue 23 (item 6): a pod sends requests with random bearer tokens, or as a user with no permission,
 * so that the adapter asks the API server a TokenReview or a SubjectAccessReview for each. Past a few refusals its
 * address gets 429 with {@code Retry-After}, and the API server is asked nothing more; the aggregator's requests from
 * the same address are served all along.
 */
@QuarkusTest
@TestProfile(FailedRequestThrottleTest.LowLimit.class)
@WithKubernetesTestServer(crud = true)
@WithTestResource(ElasticsearchTestResource.class)
class FailedRequestThrottleTest {

    /** SecureServingTest's HTTPS and authentication; three refusals at once, then one per 1000 s: nothing refills. */
    public static final class LowLimit implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(new SecureServingTest.Secure().getConfigOverrides());
            overrides.put("adapter.authentication.failure-limit.burst", "3");
            overrides.put("adapter.authentication.failure-limit.per-second", "0.001");
            return overrides;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PATH = "/apis/external.metrics.k8s.io/v1beta1/namespaces/throttled-"
            + UUID.randomUUID().toString().substring(0, 8) + "/queue_length";

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    KubernetesClient client;

    @TestHTTPResource(value = "/", tls = true)
    URL https;

    @Test
    void refusesAnAddressThatKeepsFailingWithoutAskingTheApiServerAndKeepsServingTheAggregator() throws Exception {
        KubernetesApiAnswers.install(server);
        SecurePki.publishExtensionApiserverAuthentication(client, SecurePki.extensionApiserverAuthentication(SecurePki.FRONT_PROXY_CA));
        HttpClient aggregator = SecurePki.AGGREGATOR.httpClientTrusting(SecurePki.SERVING_CA);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(SecurePki.send(aggregator, https.getPort(), "/apis", "X-Remote-User", HPA_CONTROLLER).statusCode()).isEqualTo(200));
        HttpClient anonymous = TestPki.anonymousClientTrusting(SecurePki.SERVING_CA);

        // A forbidden user through the aggregator: refused, and never counted against the aggregator's address.
        for (int i = 0; i < 5; i++) {
            assertThat(SecurePki.send(aggregator, https.getPort(), PATH, "X-Remote-User", "mallory").statusCode()).isEqualTo(403);
        }
        // Random tokens, directly: the first three are reviewed and refused, the rest throttled.
        int reviewsBefore = KubernetesApiAnswers.TOKEN_REVIEWS.size();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> refused = SecurePki.send(anonymous, https.getPort(), PATH, "Authorization", "Bearer random-" + UUID.randomUUID());
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(401);
        }
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> throttled = SecurePki.send(anonymous, https.getPort(), PATH, "Authorization", "Bearer random-" + UUID.randomUUID());
            assertThat(throttled.statusCode()).as(throttled.body()).isEqualTo(429);
            JsonNode status = JSON.readTree(throttled.body());
            assertThat(status.path("kind").asText()).isEqualTo("Status");
            assertThat(status.path("reason").asText()).isEqualTo("TooManyRequests");
            assertThat(status.at("/details/retryAfterSeconds").asInt()).isPositive();
            assertThat(throttled.headers().firstValue("Retry-After")).isPresent();
        }
        assertThat(KubernetesApiAnswers.TOKEN_REVIEWS.size() - reviewsBefore).as("TokenReviews asked").isEqualTo(3);
        // A valid token from that address waits too: the address, not the token, is what is bounded.
        assertThat(SecurePki.send(anonymous, https.getPort(), PATH, "Authorization", "Bearer " + KubernetesApiAnswers.VALID_TOKEN)
                .statusCode()).isEqualTo(429);

        HttpResponse<String> hpa = SecurePki.send(aggregator, https.getPort(), PATH, "X-Remote-User", HPA_CONTROLLER);
        assertThat(hpa.statusCode()).as("the HPA through the aggregator, same address: %s", hpa.body()).isNotIn(401, 403, 429);
    }
}
