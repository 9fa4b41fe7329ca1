package io.esmetrics.adapter.cache;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Cache hits and misses, how old the served values are and how old they may grow (the staleness budget, so that a
 * dashboard or an alert compares the two per metric without repeating the configuration), by metric name. Only valid
 * metric names reach here (unknown metrics fail before), so the tags stay bounded; selectors are never a tag.
 */
@ApplicationScoped
class CacheMeters {

    enum Result { HIT, STALE, MISS, UNAVAILABLE }

    private final MeterRegistry registry;
    private final SeriesCache cache;
    private final Set<String> agedMetrics = ConcurrentHashMap.newKeySet();
    private final CacheConfig config;
    private final Clock clock;

    CacheMeters(MeterRegistry registry, SeriesCache cache, CacheConfig config, Clock clock) {
        this.registry = registry;
        this.cache = cache;
        this.config = config;
        this.clock = clock;
    }

    void served(String metricName, Result result) {
        registry.counter("esmetrics.cache.requests", "metric", metricName, "result", result.name().toLowerCase(Locale.ROOT))
                .increment();
        if (agedMetrics.add(metricName)) {
            Gauge.builder("esmetrics.value.age", () -> oldestValueSeconds(metricName))
                    .description("Age of the oldest value served from memory for this metric")
                    .tag("metric", metricName)
                    .baseUnit("seconds")
                    .register(registry);
            Gauge.builder("esmetrics.value.age.budget", () -> config.maxValueAge(metricName).toMillis() / 1000.0)
                    .description("The staleness budget of this metric: its last good value is served until it is this old, "
                            + "then requests fail with 503")
                    .tag("metric", metricName)
                    .baseUnit("seconds")
                    .register(registry);
        }
    }

    /** A request that would have needed a search beyond its namespace's miss limit (429). */
    void rateLimited(String metricName) {
        registry.counter("esmetrics.cache.rate.limited", "metric", metricName).increment();
    }

    private double oldestValueSeconds(String metricName) {
        Instant now = clock.instant();
        return cache.all().stream()
                .filter(series -> series.query().metricName().equals(metricName))
                .flatMap(series -> series.lastGood().stream())
                .mapToDouble(snapshot -> snapshot.age(now).toMillis() / 1000.0)
                .max()
                .orElse(0);
    }
}
