package io.esmetrics.adapter.upstream;

import io.esmetrics.adapter.resilience.CircuitBreakerConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * The cluster's previous external metrics provider (KEDA, the Datadog Cluster Agent, prometheus-adapter): every
 * metric this adapter does not serve is forwarded to it, so that one APIService serves both. Unset: nothing is
 * forwarded and an unknown metric is a 404, as without it.
 */
@ConfigMapping(prefix = "adapter.upstream")
public interface UpstreamConfig {

    /**
     * The provider's address, as the APIService it used to be registered with names it, e.g.
     * {@code https://keda-operator-metrics-apiserver.keda.svc:443}. {@code http://} for local use and tests.
     */
    Optional<URI> url();

    /**
     * PEM bundle of the CAs of the provider's serving certificate (the {@code caBundle} of its APIService); read
     * again every {@code discovery-interval}. Without it, the JVM's default trust store.
     */
    Optional<Path> caFile();

    /**
     * Accepts any certificate from the provider, unverified, as its APIService did with {@code insecureSkipTLSVerify:
     * true} (prometheus-adapter's and Datadog's default manifests). Anyone on the path could answer in its place:
     * prefer {@code ca-file}. Logged as a warning at start-up.
     */
    @WithDefault("false")
    boolean insecureSkipTlsVerify();

    /**
     * A bearer token file presented to the provider, re-read at most every few seconds so that a rotated token is used.
     * No default: the pod's own service account token may read the Elasticsearch Secret and the serving CA, and must
     * not reach whoever terminates the provider's TLS. Prefer {@code token-request}; at most one of the two.
     */
    Optional<Path> tokenFile();

    /**
     * Short-lived tokens of a dedicated service account, bound only to the external-metrics reader role, obtained from
     * the TokenRequest API (the {@code upstream-provider} component sets it up). Unset with {@code token-file} unset:
     * no token is sent.
     */
    TokenRequestConfig tokenRequest();

    interface TokenRequestConfig {

        /** The service account, in the adapter's own namespace, whose tokens are presented (e.g. {@code es-metrics-adapter-upstream}). */
        Optional<String> serviceAccount();

        /**
         * The tokens' audience, where the provider accepts one of its own ({@code --authentication-audiences}); unset,
         * the API server's, which every aggregated API server's delegated authentication accepts.
         */
        Optional<String> audience();

        /** The tokens' life (10m at least, the API server's minimum); each is renewed when 80% of it has passed. */
        @WithDefault("1h")
        Duration expiration();
    }

    /** A client certificate presented instead of the token, with {@code key-file}; read again when they change. */
    Optional<Path> certFile();

    Optional<Path> keyFile();

    /** How long one forwarded request may take, connecting included; then the caller gets a 503. */
    @WithDefault("10s")
    Duration timeout();

    /** How often the provider's metric names are fetched for discovery, in the background. */
    @WithDefault("30s")
    Duration discoveryInterval();

    /**
     * Metric names sent to the provider even where this adapter serves a metric of the same name (by default
     * this adapter's wins a clash).
     */
    Optional<Set<String>> alwaysForward();

    /** Stops forwarding to a provider that keeps failing, instead of tying up connections on it. */
    CircuitBreakerConfig circuitBreaker();
}
