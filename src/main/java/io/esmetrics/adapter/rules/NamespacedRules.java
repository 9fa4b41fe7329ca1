package io.esmetrics.adapter.rules;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Metrics that a namespace declares for itself (custom resources), each visible from its own namespace only.
 * {@link MetricRules} asks them after the configuration, which always wins a name clash.
 */
public interface NamespacedRules {

    NamespacedRules NONE = new NamespacedRules() {
        @Override
        public Optional<MetricRule> find(String namespace, String name) {
            return Optional.empty();
        }

        @Override
        public Collection<String> names() {
            return List.of();
        }
    };

    /** The valid metric {@code name} declared in {@code namespace}. */
    Optional<MetricRule> find(String namespace, String name);

    /** The names of every valid declared metric, whatever its namespace, for discovery. */
    Collection<String> names();
}
