package io.esmetrics.adapter.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

    /** The attack was a local reader of the key file in the window between its writing and its chmod: no file now. */
    @Test
    void keepsTheSelfSignedKeyInMemoryNeverInAFile() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        List<Path> before;
        try (var listing = java.nio.file.Files.list(tmp)) {
            before = listing.toList();
        }

        customizer(config(true, false)).customizeHttpsServer(new HttpServerOptions());

        try (var listing = java.nio.file.Files.list(tmp)) {
            assertThat(listing.filter(path -> !before.contains(path)).map(Path::getFileName).map(Path::toString))
                    .noneMatch(name -> name.startsWith("es-metrics-adapter-serving-"));
        }
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

    /**
     * The attack is a client that offers only what a passive or downgraded peer would need: RSA key exchange (no
     * forward secrecy) or CBC with SHA-1. The listener, on either engine, refuses the handshake; the suites of the
     * list and TLS 1.3 are served.
     */
    @ParameterizedTest(name = "openssl={0}")
    @ValueSource(booleans = { true, false })
    void servesOnlyForwardSecretAeadSuites(boolean openssl) throws Exception {
        HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0);
        customizer(config(true, openssl)).customizeHttpsServer(options);
        int port = vertx.createHttpServer(options).requestHandler(request -> request.response().end("ok")).listen()
                .toCompletionStage().toCompletableFuture().join().actualPort();

        for (String refused : List.of("TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_CBC_SHA",
                "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384")) {
            assertThatThrownBy(() -> handshake(port, "TLSv1.2", refused)).as(refused).isInstanceOf(SSLHandshakeException.class);
        }
        assertThat(handshake(port, "TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"))
                .isEqualTo("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
        assertThat(handshake(port, "TLSv1.2", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"))
                .isEqualTo("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
        assertThat(handshake(port, "TLSv1.3", "TLS_AES_256_GCM_SHA384")).isEqualTo("TLS_AES_256_GCM_SHA384");
    }

    /** A TLS client that offers one protocol and one suite, and trusts the test's self-signed certificate: the suite agreed. */
    private static String handshake(int port, String protocol, String suite) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] { new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        } }, null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.setEnabledProtocols(new String[] { protocol });
            socket.setEnabledCipherSuites(new String[] { suite });
            socket.startHandshake();
            return socket.getSession().getCipherSuite();
        }
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
