package io.esmetrics.adapter.cache;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** How metric values are served from memory instead of one Elasticsearch search per HPA poll. */
@ConfigMapping(prefix = "adapter.cache")
public interface CacheConfig {

    /** Off: every request is one search (only for comparison and debugging; Elasticsearch pays for it). */
    @WithDefault("true")
    boolean enabled();

    /**
     * How often the values someone asked for are recomputed in the background. The HPA polls every 15 s, so
     * a shorter interval only costs Elasticsearch work.
     */
    @WithDefault("15s")
    Duration refreshInterval();

    /** A series nobody asked for during this long is forgotten and no longer refreshed. */
    @WithDefault("2m")
    Duration idleTimeout();

    /**
     * The staleness budget: while Elasticsearch fails, the last good value is served until it is this old,
     * then requests fail with 503. Past it, an old number would mislead the HPA more than no number.
     */
    @WithDefault("2m")
    Duration maxValueAge();

    /** The fewest time between two searches for the same series, even when requests ask for it again. */
    @WithDefault("5s")
    Duration minQueryInterval();

    /** Background refresh batches run at most this many at once, to protect Elasticsearch's search pool. */
    @WithDefault("2")
    int refreshConcurrency();

    /** Series refreshed by one {@code _msearch}. */
    @WithDefault("100")
    int refreshBatchSize();

    /** Overrides by metric name, e.g. {@code adapter.cache.metrics.queue_length.max-value-age=30s}. */
    Map<String, MetricCacheConfig> metrics();

    /** A metric whose values age faster (a gauge) may declare a tighter budget than the default. */
    interface MetricCacheConfig {
        Optional<Duration> maxValueAge();

        Optional<Duration> minQueryInterval();
    }

    default Duration maxValueAge(String metricName) {
        return Optional.ofNullable(metrics().get(metricName)).flatMap(MetricCacheConfig::maxValueAge).orElse(maxValueAge());
    }

    default Duration minQueryInterval(String metricName) {
        return Optional.ofNullable(metrics().get(metricName)).flatMap(MetricCacheConfig::minQueryInterval)
                .orElse(minQueryInterval());
    }
}
