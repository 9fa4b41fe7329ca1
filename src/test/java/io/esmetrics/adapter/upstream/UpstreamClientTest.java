package io.esmetrics.adapter.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.esmetrics.adapter.authentication.SecurePki;
import io.esmetrics.adapter.provider.BackendUnavailableException;
import io.esmetrics.adapter.testsupport.FakeExternalMetricsProvider;
import io.esmetrics.adapter.testsupport.FakeExternalMetricsProvider.Mode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client alone against the fake provider over real TLS: what it trusts, and what it refuses to start with. */
class UpstreamClientTest {

    private static final FakeExternalMetricsProvider UPSTREAM = FakeExternalMetricsProvider.shared(SecurePki.DIR);

    private final Vertx vertx = Vertx.vertx();

    @BeforeEach
    void upstreamIsUp() {
        UPSTREAM.mode(Mode.NORMAL);
        UPSTREAM.restart();
    }

    @AfterEach
    void closeVertx() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
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
    void isOffWithoutAnAddress() {
        UpstreamClient client = client(Map.of());

        assertThat(client.enabled()).isFalse();
    }

    private UpstreamClient client(Map<String, String> properties) {
        Map<String, String> all = new HashMap<>(properties);
        all.putIfAbsent("adapter.upstream.token-file", Path.of("target", "no-token").toString());
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(UpstreamConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter()).withDefaultValues(all).build();
        return new UpstreamClient(config.getConfigMapping(UpstreamConfig.class), new ObjectMapper(), new SimpleMeterRegistry(), vertx,
                Clock.systemUTC());
    }
}
