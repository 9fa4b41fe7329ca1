package io.esmetrics.adapter.tls;

import io.netty.handler.ssl.OpenSsl;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ImageMode;
import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.net.TrustOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.nio.file.Path;
import java.util.Set;

/**
 * The HTTPS listener: TLS 1.2+ (by BoringSSL where it loads), the serving certificate from files (followed when
 * they rotate), from the self-managed Secret ({@link ServingCertificateSource}, followed as it renews) or a
 * generated self-signed one, and client certificates requested (not required) for the authenticators.
 */
@ApplicationScoped
public class ServingTlsCustomizer implements HttpServerOptionsCustomizer {

    /**
     * Mozilla's "intermediate" configuration: TLS 1.3's suites, and for TLS 1.2 only ephemeral key exchange (forward
     * secrecy) with AEAD ciphers. Without a list, both engines also offer RSA key exchange and CBC with SHA-1, which
     * every client this API has (the kube-aggregator, kubectl, Prometheus) does without. The DHE suites of Mozilla's
     * list are left out: no client needs them, and their parameters are costly to serve.
     */
    static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private final ServingConfig config;
    private final Vertx vertx;
    private final Instance<ServingCertificateSource> source;
    private volatile PemKeyManager keyManager;

    public ServingTlsCustomizer(ServingConfig config, Vertx vertx, Instance<ServingCertificateSource> source, MeterRegistry registry) {
        this.config = config;
        this.vertx = vertx;
        this.source = source;
        Gauge.builder("esmetrics.serving.certificate.expiry", () -> keyManager == null ? Double.NaN : keyManager.notAfter().getEpochSecond())
                .description("When the serving certificate served now expires (Unix time)")
                .baseUnit("seconds")
                .register(registry);
    }

    /** A renewed self-managed certificate is served from the next handshake on. */
    void certificateChanged(@Observes ServingCertificateChanged changed) {
        PemKeyManager current = keyManager;
        if (current == null) {
            return; // still starting: the first certificate is the one start() answers
        }
        try {
            if (current.replace(changed.certificatePem().getBytes(StandardCharsets.US_ASCII),
                    changed.keyPem().getBytes(StandardCharsets.US_ASCII), "the self-managed Secret")) {
                Log.infof("Serving the certificate of the self-managed Secret, valid until %s", current.notAfter());
            }
        } catch (IllegalArgumentException e) {
            Log.warnf("Keeping the current certificate: %s", e.getMessage());
        }
    }

    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        if (!config.tls()) {
            return;
        }
        PemKeyManager keyManager = keyManager();
        this.keyManager = keyManager;
        options.setSsl(true);
        options.setSslEngineOptions(engine());
        options.setKeyCertOptions(KeyCertOptions.wrap(keyManager));
        options.setTrustOptions(TrustOptions.wrap(new ClientCertificatesRequested()));
        options.setClientAuth(ClientAuth.REQUEST);
        options.setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3"));
        CIPHER_SUITES.forEach(options::addEnabledCipherSuite);
        if (config.certFile().isPresent()) {
            vertx.setPeriodic(config.reloadInterval().toMillis(),
                    id -> vertx.executeBlocking(() -> keyManager.reloadIfChanged(), false));
        }
    }

    private SSLEngineOptions engine() {
        if (!config.openssl()) {
            return new JdkSSLEngineOptions();
        }
        if (ImageMode.current().isNativeImage()) {
            // netty-tcnative is not built into the native image; the JDK engine is.
            Log.info("TLS by the JDK engine (a native image does not load OpenSSL)");
            return new JdkSSLEngineOptions();
        }
        if (!OpenSSLEngineOptions.isAvailable()) {
            Log.warnf("adapter.serving.openssl is on but OpenSSL cannot be loaded here (%s): TLS by the JDK engine",
                    OpenSsl.unavailabilityCause());
            return new JdkSSLEngineOptions();
        }
        Log.infof("TLS by %s", OpenSsl.versionString());
        return new OpenSSLEngineOptions();
    }

    private PemKeyManager keyManager() {
        if (config.certFile().isPresent() != config.keyFile().isPresent()) {
            throw new IllegalStateException("adapter.serving.cert-file and adapter.serving.key-file go together; set both or neither");
        }
        if (config.certFile().isPresent() && config.selfManaged()) {
            throw new IllegalStateException("adapter.serving.cert-file and adapter.serving.self-managed are two ways to the "
                    + "serving certificate: choose one");
        }
        if (config.certFile().isPresent()) {
            Path cert = config.certFile().get();
            Log.infof("Serving HTTPS with the certificate in %s (checked for rotation every %s)", cert, config.reloadInterval());
            return PemKeyManager.ofFiles(vertx, cert, config.keyFile().get());
        }
        if (config.selfManaged()) {
            Optional<ServingCertificateChanged> first = source.get().start();
            if (first.isPresent()) {
                return PemKeyManager.of(vertx, first.get().certificatePem().getBytes(StandardCharsets.US_ASCII),
                        first.get().keyPem().getBytes(StandardCharsets.US_ASCII), "the self-managed Secret");
            }
            Log.warn("Serving HTTPS with a generated self-signed certificate until the self-managed one is at hand");
            return selfSigned();
        }
        Log.warnf("No serving certificate configured (adapter.serving.cert-file or adapter.serving.self-managed): serving "
                + "HTTPS with a generated self-signed certificate for %s. Clients cannot verify it; use one of those for "
                + "production.", config.selfSignedNames());
        return selfSigned();
    }

    private PemKeyManager selfSigned() {
        try {
            SelfSignedCertificate.Pem generated = SelfSignedCertificate.generate(config.selfSignedNames());
            return PemKeyManager.of(vertx, generated.certificate(), generated.key(), "a self-signed certificate");
        } catch (Exception e) {
            throw new IllegalStateException("cannot generate a self-signed serving certificate", e);
        }
    }
}
