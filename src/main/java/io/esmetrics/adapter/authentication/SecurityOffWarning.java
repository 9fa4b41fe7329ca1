package io.esmetrics.adapter.authentication;

import io.esmetrics.adapter.tls.ServingConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;

/**
 * The two switches that turn security off exist for a laptop (the {@code local} profile, bound to 127.0.0.1).
 * Anywhere else each one that is off is a warning at start-up: an adapter serving plain HTTP, or answering anyone,
 * should never be a surprise found later.
 */
@ApplicationScoped
class SecurityOffWarning {

    private final AuthenticationConfig authentication;
    private final ServingConfig serving;

    SecurityOffWarning(AuthenticationConfig authentication, ServingConfig serving) {
        this.authentication = authentication;
        this.serving = serving;
    }

    void warn(@Observes StartupEvent event) {
        warnings(authentication.enabled(), serving.tls(), ConfigUtils.getProfiles()).forEach(Log::warn);
    }

    static List<String> warnings(boolean authenticationEnabled, boolean tls, List<String> profiles) {
        List<String> warnings = new ArrayList<>();
        if (profiles.contains("local")) {
            return warnings;
        }
        if (!authenticationEnabled) {
            warnings.add("SECURITY OFF: adapter.authentication.enabled=false, every caller may read every metric of every "
                    + "namespace without authentication or SubjectAccessReview. Meant for the local profile only");
        }
        if (!tls) {
            warnings.add("SECURITY OFF: adapter.serving.tls=false, the API is served over plain HTTP, which the "
                    + "kube-aggregator does not speak and anyone on the path can read. Meant for the local profile only");
        }
        return warnings;
    }
}
