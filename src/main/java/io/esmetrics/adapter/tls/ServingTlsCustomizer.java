package io.esmetrics.adapter.tls;

import io.netty.handler.ssl.OpenSsl;
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
import java.nio.file.Path;
import java.util.Set;

/**
 * The HTTPS listener: TLS 1.2+ (by BoringSSL where it loads), the serving certificate from files (followed when
 * they rotate) or a generated self-signed one, and client certificates requested (not required) for the
 * authenticators.
 */
@ApplicationScoped
public class ServingTlsCustomizer implements HttpServerOptionsCustomizer {

    private final ServingConfig config;
    private final Vertx vertx;

    public ServingTlsCustomizer(ServingConfig config, Vertx vertx) {
        this.config = config;
        this.vertx = vertx;
    }

    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        if (!config.tls()) {
            return;
        }
        PemKeyManager keyManager = keyManager();
        options.setSsl(true);
        options.setSslEngineOptions(engine());
        options.setKeyCertOptions(KeyCertOptions.wrap(keyManager));
        options.setTrustOptions(TrustOptions.wrap(new ClientCertificatesRequested()));
        options.setClientAuth(ClientAuth.REQUEST);
        options.setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3"));
        vertx.setPeriodic(config.reloadInterval().toMillis(),
                id -> vertx.executeBlocking(() -> keyManager.reloadIfChanged(), false));
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
        if (config.certFile().isPresent()) {
            Path cert = config.certFile().get();
            Log.infof("Serving HTTPS with the certificate in %s (checked for rotation every %s)", cert, config.reloadInterval());
            return new PemKeyManager(vertx, cert, config.keyFile().get());
        }
        try {
            SelfSignedCertificate.PemFiles generated = SelfSignedCertificate.generate(config.selfSignedNames());
            Log.warnf("No serving certificate configured (adapter.serving.cert-file): serving HTTPS with a generated "
                    + "self-signed certificate for %s. Clients cannot verify it; mount a real one for production.",
                    config.selfSignedNames());
            return new PemKeyManager(vertx, generated.cert(), generated.key());
        } catch (Exception e) {
            throw new IllegalStateException("cannot generate a self-signed serving certificate", e);
        }
    }
}
