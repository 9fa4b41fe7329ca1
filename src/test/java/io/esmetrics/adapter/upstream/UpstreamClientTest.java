package io.esmetrics.adapter.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.esmetrics.adapter.authentication.SecurePki;
import io.esmetrics.adapter.provider.BackendUnavailableException;
import io.esmetrics.adapter.testsupport.FakeExternalMetricsProvider;
import io.esmetrics.adapter.testsupport.FakeExternalMetricsProvider.Mode;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client alone against the fake provider over real TLS: what it trusts, and what it refuses to start with. */
class UpstreamClientTest {

    private static final FakeExternalMetricsProvider UPSTREAM = FakeExternalMetricsProvider.shared(SecurePki.DIR);

    private final Vertx vertx = Vertx.vertx();
    private final KubernetesMockServer kubernetes = new KubernetesMockServer(false);

    @BeforeEach
    void upstreamIsUp() {
        kubernetes.init();
        UPSTREAM.mode(Mode.NORMAL);
        UPSTREAM.restart();
    }

    @AfterEach
    void closeVertx() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
        kubernetes.destroy();
    }

    @Test
    void verifiesTheProvidersCertificateAgainstTheCaFile() {
        UpstreamClient client = client(Map.of("adapter.upstream.url", UPSTREAM.url().toString(),
                "adapter.upstream.ca-file", UPSTREAM.caFile().toString()));

        assertThat(client.discovery().join().status()).isEqualTo(200);
    }

    @Test
    void checksTheProvidersHostName() {
        // The certificate is for localhost, not for 127.0.0.1.
        UpstreamClient client = client(Map.of("adapter.upstream.url", "https://127.0.0.1:" + UPSTREAM.url().getPort(),
                "adapter.upstream.ca-file", UPSTREAM.caFile().toString()));

        assertThatThrownBy(() -> client.discovery().join()).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("refused the TLS handshake or is not trusted");
    }

    @Test
    void trustsNoOtherCa() {
        UpstreamClient client = client(Map.of("adapter.upstream.url", UPSTREAM.url().toString(),
                "adapter.upstream.ca-file", SecurePki.SERVING_CA.certFile().toAbsolutePath().toString()));

        assertThatThrownBy(() -> client.discovery().join()).cause().isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("is not trusted");
    }

    @Test
    void acceptsAnyCertificateOnlyWhenToldTo() {
        UpstreamClient client = client(Map.of("adapter.upstream.url", "https://127.0.0.1:" + UPSTREAM.url().getPort(),
                "adapter.upstream.insecure-skip-tls-verify", "true"));

        assertThat(client.discovery().join().status()).isEqualTo(200);
    }

    @Test
    void refusesToStartOnAnAddressItCannotUse() {
        assertThatThrownBy(() -> client(Map.of("adapter.upstream.url", "ftp://keda.svc")))
                .hasMessage("adapter.upstream.url must be an http:// or https:// address with a host, not ftp://keda.svc");
        assertThatThrownBy(() -> client(Map.of("adapter.upstream.url", "https://keda.svc?x=1")))
                .hasMessage("adapter.upstream.url is the provider's address only: no user, query or fragment");
        assertThatThrownBy(() -> client(Map.of("adapter.upstream.url", "https://keda.svc", "adapter.upstream.cert-file", "/tls.crt")))
                .hasMessage("adapter.upstream.cert-file and key-file go together; set both or neither");
        assertThatThrownBy(() -> client(Map.of("adapter.upstream.url", "https://keda.svc", "adapter.upstream.insecure-skip-tls-verify", "true",
                "adapter.upstream.ca-file", UPSTREAM.caFile().toString())))
                .hasMessageContaining("contradict each other");
        assertThatThrownBy(() -> client(Map.of("adapter.upstream.url", "https://keda.svc", "adapter.upstream.ca-file", "/no/such/ca.crt")))
                .hasMessageContaining("/no/such/ca.crt");
    }

    @Test
    void presentsATokenOfTheDedicatedServiceAccountNeverItsOwn() {
        kubernetes.expect().post().withPath("/api/v1/namespaces/test/serviceaccounts/es-metrics-adapter-upstream/token")
                .andReturn(201, new TokenRequestBuilder().withNewSpec().withExpirationSeconds(600L).endSpec()
                        .withNewStatus().withToken("token-of-es-metrics-adapter-upstream").endStatus().build())
                .always();
        String own = kubernetes.createClient().getConfiguration().getAutoOAuthToken();
        UpstreamClient client = client(Map.of("adapter.upstream.url", UPSTREAM.url().toString(),
                "adapter.upstream.ca-file", UPSTREAM.caFile().toString(),
                "adapter.upstream.token-request.service-account", "es-metrics-adapter-upstream"));

        // The first requests fail (503) until the first token arrives.
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() ->
                assertThat(client.metricValues("tokens", FakeExternalMetricsProvider.ONLY_UPSTREAM, null).join().status()).isEqualTo(200));

        List<String> authorization = UPSTREAM.requestsIn("tokens").get(UPSTREAM.requestsIn("tokens").size() - 1).header("Authorization");
        assertThat(authorization).containsExactly("Bearer token-of-es-metrics-adapter-upstream").doesNotContain("Bearer " + own);
    }

    @Test
    void sendsNoTokenUnlessOneIsConfigured() {
        UpstreamClient client = client(Map.of("adapter.upstream.url", UPSTREAM.url().toString(),
                "adapter.upstream.ca-file", UPSTREAM.caFile().toString()));

        assertThat(client.metricValues("no-token", FakeExternalMetricsProvider.ONLY_UPSTREAM, null).join().status()).isEqualTo(200);

        assertThat(UPSTREAM.requestsIn("no-token")).singleElement().satisfies(request ->
                assertThat(request.header("Authorization")).isNullOrEmpty());
    }

    @Test
    void refusesToStartWhenATokenWouldTravelOverPlainHttp() {
        assertThatThrownBy(() -> client(Map.of("adapter.upstream.url", "http://keda.svc",
                "adapter.upstream.token-request.service-account", "es-metrics-adapter-upstream")))
                .hasMessageContaining("adapter.upstream.token-request.service-account is set and adapter.upstream.url is http://");
        assertThatThrownBy(() -> client(Map.of("adapter.upstream.url", "http://keda.svc", "adapter.upstream.token-file", "/token")))
                .hasMessageContaining("adapter.upstream.token-file is set and adapter.upstream.url is http://");
    }

    @Test
    void refusesToStartWhenATokenWouldGoToAnUnverifiedProvider() {
        assertThatThrownBy(() -> client(Map.of("adapter.upstream.url", "https://keda.svc", "adapter.upstream.insecure-skip-tls-verify", "true",
                "adapter.upstream.token-request.service-account", "es-metrics-adapter-upstream")))
                .hasMessageContaining("insecure-skip-tls-verify=true: anyone on the path could answer in the provider's place and keep the token");
        assertThatThrownBy(() -> client(Map.of("adapter.upstream.url", "https://keda.svc", "adapter.upstream.insecure-skip-tls-verify", "true",
                "adapter.upstream.token-file", "/token")))
                .hasMessageContaining("keep the token");
    }

    @Test
    void isOffWithoutAnAddress() {
        UpstreamClient client = client(Map.of());

        assertThat(client.enabled()).isFalse();
    }

    private UpstreamClient client(Map<String, String> properties) {
        Map<String, String> all = new HashMap<>(properties);
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(UpstreamConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter()).withDefaultValues(all).build();
        return new UpstreamClient(config.getConfigMapping(UpstreamConfig.class), new ObjectMapper(), new SimpleMeterRegistry(), vertx,
                Clock.systemUTC(), () -> kubernetes.createClient());
    }
}
