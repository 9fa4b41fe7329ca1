package io.esmetrics.adapter.rules;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

@ConfigMapping(prefix = "adapter.rules")
public interface RulesConfig {

    /**
     * Serve the built-in metrics: those of builtin-metrics.yaml and {@link ClusterHealthRule}. A definitions file may
     * still replace any by declaring a metric of the same name.
     */
    @WithDefault("true")
    boolean builtins();

    /**
     * Metric definitions files, typically a ConfigMap mounted at {@code /etc/es-metrics-adapter/metrics/metrics.yaml}.
     * A listed file that is missing or invalid fails start-up: serving without a declared metric would make
     * every HPA using it fail later, and far from the cause.
     */
    Optional<List<Path>> files();
}
