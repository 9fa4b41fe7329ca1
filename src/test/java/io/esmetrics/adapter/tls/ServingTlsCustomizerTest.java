package io.esmetrics.adapter.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import java.nio.file.Path;
import java.time.Duration;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class ServingTlsCustomizerTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void closeVertx() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void generatesASelfSignedCertificateForTheServiceNamesWhenNoneIsMounted() throws Exception {
        HttpServerOptions options = new HttpServerOptions();

        customizer(config(true, true)).customizeHttpsServer(options);

        assertThat(options.isSsl()).isTrue();
        assertThat(options.getClientAuth()).isEqualTo(ClientAuth.REQUEST);
        assertThat(options.getEnabledSecureTransportProtocols()).isEqualTo(Set.of("TLSv1.2", "TLSv1.3"));
        var keyManager = (javax.net.ssl.X509KeyManager) options.getKeyCertOptions().getKeyManagerFactory(vertx).getKeyManagers()[0];
        String alias = keyManager.chooseServerAlias("RSA", null, null);
        var certificate = keyManager.getCertificateChain(alias)[0];
        assertThat(certificate.getSubjectAlternativeNames().stream().map(name -> String.valueOf(name.get(1))).toList())
                .contains("localhost", "es-metrics-adapter.es-metrics-adapter.svc");
    }

    @Test
    void leavesTheServerAloneWhenTlsIsOff() {
        HttpServerOptions options = new HttpServerOptions();

        customizer(config(false, true)).customizeHttpsServer(options);

        assertThat(options.isSsl()).isFalse();
        assertThat(options.getKeyCertOptions()).isNull();
    }

    /** The image's platform: netty-tcnative ships BoringSSL for it, so OpenSSL must load, not silently fall back. */
    @Test
    @EnabledOnOs(value = OS.LINUX, architectures = "amd64")
    void runsTlsInBoringSslWhereTheLibraryShips() {
        HttpServerOptions options = new HttpServerOptions();

        customizer(config(true, true)).customizeHttpsServer(options);

        assertThat(options.getSslEngineOptions()).isInstanceOf(OpenSSLEngineOptions.class);
    }

    @Test
    void runsTlsInTheJdkWhenOpenSslIsSwitchedOff() {
        HttpServerOptions options = new HttpServerOptions();

        customizer(config(true, false)).customizeHttpsServer(options);

        assertThat(options.getSslEngineOptions()).isInstanceOf(JdkSSLEngineOptions.class);
    }

    /** The settings these tests read; any other is a test that reads more than it says. */
    private static ServingConfig config(boolean tls, boolean openssl) {
        Map<String, Object> values = Map.of("tls", tls, "openssl", openssl, "certFile", Optional.empty(), "keyFile", Optional.empty(),
                "selfManaged", false, "reloadInterval", Duration.ofMinutes(1),
                "selfSignedNames", List.of("localhost", "es-metrics-adapter.es-metrics-adapter.svc"));
        return (ServingConfig) Proxy.newProxyInstance(ServingConfig.class.getClassLoader(), new Class<?>[] { ServingConfig.class },
                (proxy, method, args) -> {
                    if (!values.containsKey(method.getName())) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    return values.get(method.getName());
                });
    }

    private ServingTlsCustomizer customizer(ServingConfig config) {
        return new ServingTlsCustomizer(config, vertx, null, new SimpleMeterRegistry());
    }
}
