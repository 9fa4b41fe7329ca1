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
}
