package io.esmetrics.adapter.authentication;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "adapter.authentication")
public interface AuthenticationConfig {

    /**
     * Authenticate (and then authorize) every API request. Off only in the {@code local} profile, which serves
     * 127.0.0.1 with no cluster to ask.
     */
    @WithDefault("true")
    boolean enabled();

    /** How long TokenReview answers are reused; Kubernetes API servers use about 10 seconds. */
    @WithDefault("10s")
    Duration tokenCacheTtl();

    /** Most TokenReview answers kept. */
    @WithDefault("10000")
    long tokenCacheSize();

    /** Namespace of the ConfigMap holding the cluster's client and front-proxy CAs. */
    @WithDefault("kube-system")
    String configMapNamespace();

    @WithDefault("extension-apiserver-authentication")
    String configMapName();

    /** Refused requests (no valid credential, or no permission) per client address. */
    FailureLimit failureLimit();

    /**
     * A token bucket per client address, of requests refused 401 or 403: {@code burst} at once, then
     * {@code per-second}. Past it, that address's requests are answered 429 with {@code Retry-After} and cost no
     * TokenReview or SubjectAccessReview until the bucket refills. Requests of the kube-aggregator (front-proxy
     * certificate) are never limited: the API server authenticated and authorized their callers already, and one
     * noisy user must not throttle every HPA.
     */
    interface FailureLimit {
        @WithDefault("true")
        boolean enabled();

        @WithDefault("20")
        int burst();

        @WithDefault("1")
        double perSecond();
    }
}
