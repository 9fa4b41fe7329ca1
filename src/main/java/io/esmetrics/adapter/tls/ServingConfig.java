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
     * How often the certificate is checked: the files for rotation (Kubernetes updates a mounted Secret in place),
     * or the self-managed Secret for renewal and for what another replica renewed. New connections get the new
     * certificate without a restart.
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

    /** Names of the self-signed certificate generated when no files are configured and nothing else applies. */
    @WithDefault("localhost,es-metrics-adapter,es-metrics-adapter.es-metrics-adapter.svc")
    List<String> selfSignedNames();

    /**
     * The adapter makes its own CA and serving certificate, keeps them in one Secret of its namespace (creating it,
     * renewing them), serves what the Secret holds on every replica, and keeps the caBundle of the APIService
     * {@code v1beta1.external.metrics.k8s.io} equal to its CAs when that APIService names its Service. The
     * Deployment in k8s/ turns it on; cert-manager and OpenShift's service-ca are the alternatives (certificate files).
     */
    @WithDefault("false")
    boolean selfManaged();

    /** The Secret of the self-managed serving certificate and the CAs that verify it, in the adapter's namespace. */
    @WithDefault("es-metrics-adapter-tls")
    String secretName();

    /**
     * The Secret of the self-managed CAs and the signing CA's key, in the adapter's namespace: apart from the serving
     * pair, so that whoever may read or mount that pair does not get the key the APIService's caBundle trusts.
     */
    @WithDefault("es-metrics-adapter-ca")
    String caSecretName();

    /** The Service the APIService names: the certificate is for {@code <name>}, {@code <name>.<namespace>.svc}, ... */
    @WithDefault("es-metrics-adapter")
    String serviceName();

    /** The Service's namespace; by default the adapter's own. */
    Optional<String> serviceNamespace();

    /** The cluster's DNS domain, for the name {@code <service>.<namespace>.svc.<domain>}. */
    @WithDefault("cluster.local")
    String clusterDomain();

    /**
     * How long a self-managed CA is valid. Two years, not the five of old: its key sits in a Secret, and a CA replaced
     * often (with the overlap below, invisibly) limits how long a copied key is worth anything.
     */
    @WithDefault("730d")
    Duration caLifetime();

    /**
     * How long before its CA expires a new one joins the bundle: both are trusted from then on, so no connection
     * verified against either fails while clients catch up. Longer than certificate-renew-before, so that the last
     * serving certificate of the old CA is renewed by the new one, long trusted by then.
     */
    @WithDefault("180d")
    Duration caRenewBefore();

    /** How long a self-managed serving certificate is valid (never beyond its CA). */
    @WithDefault("365d")
    Duration certificateLifetime();

    /** How long before it expires a serving certificate is renewed. */
    @WithDefault("90d")
    Duration certificateRenewBefore();

    /**
     * How long a new CA is trusted (in the Secret, and so in the APIService's caBundle) before a certificate it signed
     * is served. Must be shorter than certificate-renew-before and ca-renew-before.
     */
    @WithDefault("1h")
    Duration caTrustDelay();
}
