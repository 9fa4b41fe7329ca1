package io.esmetrics.adapter.authorization;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "adapter.authorization")
public interface AuthorizationConfig {

    /** How long SubjectAccessReview decisions (allow and deny) are reused; Kubernetes uses about 10 seconds. */
    @WithDefault("10s")
    Duration cacheTtl();

    /** Most decisions kept; a bounded cache cannot be grown without end by callers inventing identities. */
    @WithDefault("10000")
    long cacheSize();
}
