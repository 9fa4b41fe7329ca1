package io.esmetrics.adapter.provider;

import io.esmetrics.adapter.rules.MetricRule;
import io.esmetrics.adapter.selector.LabelSelector;

/**
 * One question to a {@link MetricsBackend}: the series of a metric whose rule is known and whose selector uses
 * declared labels only ({@link DeclaredMetrics#resolve}), in a namespace.
 */
public record SeriesQuery(MetricRule rule, String namespace, LabelSelector selector) {

    /** The same question by names, as the cache keeps it. */
    public MetricQuery byName() {
        return new MetricQuery(namespace, rule.name(), selector);
    }
}
