package io.esmetrics.adapter.observability;

import io.esmetrics.adapter.cache.CacheConfig;
import io.esmetrics.adapter.provider.ExternalMetricsProvider;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The staleness budget of each metric ({@code adapter.cache.max-value-age}, or the metric's own override) beside
 * {@code esmetrics_value_age_seconds}, so that a dashboard or an alert compares a value's age with the budget it is
 * served within, per metric, without repeating the configuration. Registered when a declared metric is first
 * requested, as the age gauge is, so the two carry the same tag values (bounded: declared names only).
 */
@ApplicationScoped
class ValueAgeBudgetMeters {

    private final MeterRegistry registry;
    private final CacheConfig config;
    private final ExternalMetricsProvider provider;
    private final Set<String> registered = ConcurrentHashMap.newKeySet();

    ValueAgeBudgetMeters(MeterRegistry registry, CacheConfig config, ExternalMetricsProvider provider) {
        this.registry = registry;
        this.config = config;
        this.provider = provider;
    }

    /**
     * A request for {@code metricName} was answered. Names not registered yet are looked up among the declared ones:
     * a forwarded metric has no budget here (the upstream provider answers it), and its request has paid a round trip
     * to that provider already.
     */
    void requested(String metricName) {
        if (!registered.contains(metricName) && provider.metricNames().contains(metricName) && registered.add(metricName)) {
            Gauge.builder("esmetrics.value.age.budget", () -> config.maxValueAge(metricName).toMillis() / 1000.0)
                    .description("The staleness budget of this metric: its last good value is served until it is this old, "
                            + "then requests fail with 503")
                    .tag("metric", metricName)
                    .baseUnit("seconds")
                    .register(registry);
        }
    }
}
