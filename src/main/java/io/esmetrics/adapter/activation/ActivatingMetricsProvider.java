package io.esmetrics.adapter.activation;

import io.esmetrics.adapter.cache.CachingMetricsProvider;
import io.esmetrics.adapter.cache.SeriesKey;
import io.esmetrics.adapter.provider.DeclaredMetrics;
import io.esmetrics.adapter.provider.ExternalMetricsProvider;
import io.esmetrics.adapter.provider.HeldAnswer;
import io.esmetrics.adapter.provider.MetricComputation;
import io.esmetrics.adapter.provider.MetricValue;
import io.esmetrics.adapter.rules.MetricRule;
import io.esmetrics.adapter.selector.LabelSelector;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The provider the HTTP layer talks to: the cache's answers ({@link CachingMetricsProvider}), with the activation of
 * each metric that declares one applied (docs/design.md, "Scale to zero without flapping"). Transitions are decided
 * here, on the value a metric request is served (after the cache, stale or fresh) and when it is served: a background
 * refresh nobody reads flips nothing. What explain and the ElasticsearchMetric statuses read ({@link #held},
 * {@link #computeWithoutKeeping}) is the cache's answer as it is; explain asks {@link Activations} what a read would
 * make of it.
 */
@ApplicationScoped
class ActivatingMetricsProvider implements ExternalMetricsProvider {

    private final CachingMetricsProvider cached;
    private final DeclaredMetrics declared;
    private final Activations activations;

    ActivatingMetricsProvider(CachingMetricsProvider cached, DeclaredMetrics declared, Activations activations) {
        this.cached = cached;
        this.declared = declared;
        this.activations = activations;
    }

    @Override
    public List<MetricValue> values(String namespace, String metricName, LabelSelector selector) {
        return activated(namespace, metricName, selector, cached.values(namespace, metricName, selector));
    }

    @Override
    public Optional<List<MetricValue>> valuesInMemory(String namespace, String metricName, LabelSelector selector) {
        return cached.valuesInMemory(namespace, metricName, selector)
                .map(values -> activated(namespace, metricName, selector, values));
    }

    /** Never blocks (valuesInMemory runs on the event loop): a rule look-up in memory and one map update. */
    private List<MetricValue> activated(String namespace, String metricName, LabelSelector selector,
            List<MetricValue> values) {
        MetricRule rule = declared.resolve(namespace, metricName, selector).rule();
        return rule.activation()
                .map(bounds -> activations.served(SeriesKey.of(namespace, metricName, selector), bounds, values))
                .orElse(values);
    }

    @Override
    public Optional<HeldAnswer> held(String namespace, String metricName, LabelSelector selector) {
        return cached.held(namespace, metricName, selector);
    }

    @Override
    public List<MetricValue> computeWithoutKeeping(String namespace, String metricName, LabelSelector selector) {
        return cached.computeWithoutKeeping(namespace, metricName, selector);
    }

    @Override
    public MetricComputation describe(String namespace, String metricName, LabelSelector selector) {
        return cached.describe(namespace, metricName, selector);
    }

    @Override
    public Collection<String> metricNames() {
        return cached.metricNames();
    }
}
