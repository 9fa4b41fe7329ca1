package io.esmetrics.adapter.tls;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

@ConfigMapping(prefix = "adapter.serving")
public interface ServingConfig {

    /** Serve HTTPS (on {@code quarkus.http.ssl-port}). Off only in the {@code local} profile and plain tests. */
    @WithDefault("true")
    boolean tls();

    /** PEM certificate chain, e.g. {@code tls.crt} of a mounted Secret (cert-manager writes one). */
    Optional<Path> certFile();

    /** PEM private key (PKCS#8, PKCS#1 or EC), e.g. {@code tls.key} of the same Secret. */
    Optional<Path> keyFile();

    /**
     * How often the files are checked for rotation. Kubernetes updates a mounted Secret in place; new
     * connections get the new certificate without a restart.
     */
    @WithDefault("30s")
    Duration reloadInterval();

    /**
     * Run TLS in BoringSSL (netty-tcnative, shipped for linux-x86_64) rather than the JDK's engine: over mTLS the
     * handshake and record crypto are most of what a cached request costs. Falls back to the JDK engine, with a
     * log line, where the library cannot load (another platform, a native image).
     */
    @WithDefault("true")
    boolean openssl();

    /** Names of the self-signed certificate generated when no files are configured. */
    @WithDefault("localhost,es-metrics-adapter,es-metrics-adapter.es-metrics-adapter.svc")
    List<String> selfSignedNames();
}
