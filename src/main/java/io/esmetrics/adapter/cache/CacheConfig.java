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

    /**
     * Whether the background refresh moves its phase so that it ends just before the reads (the HPA controller reads
     * each metric at a steady phase of its sync period): the values an HPA reads are then a few hundred milliseconds
     * old instead of anywhere up to {@code refresh-interval}, for the same number of searches. Off: the refresh runs
     * every interval from start-up, whenever the reads come.
     */
    @WithDefault("true")
    boolean alignToReads();

    /**
     * A series nobody asked for during this long is forgotten and no longer refreshed; so is the inactive state of an
     * answer of a metric with an activation (activation.Activations), which then reads as active: an answer nobody
     * reads has no HPA left to flap.
     */
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

    /**
     * Background refresh batches run at most this many at once, to protect Elasticsearch's search pool. A namespace
     * runs one batch at a time, so a slow namespace holds one of them: this many slow namespaces at once hold them all.
     */
    @WithDefault("2")
    int refreshConcurrency();

    /**
     * Answers refreshed by one {@code _msearch}, all of one namespace (so that its slow searches slow no other); those
     * of a metric refreshed across namespaces share one anyway.
     */
    @WithDefault("100")
    int refreshBatchSize();

    /**
     * Most series (one labelled value each) held in memory for all namespaces together. An answer that would go
     * beyond it is still given, by a search, but not kept. A series costs about 250 bytes of heap (two labels),
     * an answer about half a KiB more: the default holds about 25 to 75 MB. Also the most answers of metrics with an
     * activation held inactive (activation.Activations), each less than a series: one forgotten reads as active.
     */
    @WithDefault("100000")
    int maxSeries();

    /**
     * Most series held for the answers of one namespace's distinct selectors, so that one tenant's selectors cannot
     * push the others out. The namespace-wide series a metric's selectors are picked from are bounded by
     * {@code max-series} only: there is one such answer per metric and namespace.
     */
    @WithDefault("5000")
    int maxSeriesPerNamespace();

    /**
     * Most series held for the namespace-wide answers of one namespace (one per metric: the answer every selector of a
     * metric that adds up is picked from), so that one tenant's many or wide metrics cannot fill {@code max-series} and
     * leave the other namespaces' answers unkept. An answer that would take a namespace beyond it is given but not
     * kept: that namespace's requests for it are searches, within its miss limit. Keep it above
     * {@code adapter.elasticsearch.max-series} (10,000), the most series of one answer, or such an answer is never kept.
     */
    @WithDefault("20000")
    int maxNamespaceWideSeriesPerNamespace();

    /** Searches caused by cache misses (a selector nobody asked before, a value past its budget), per namespace. */
    MissLimit missLimit();

    /**
     * A token bucket per namespace: {@code burst} searches at once, then {@code per-second}. A caller over it gets
     * 429 with {@code Retry-After}; other namespaces are unaffected. HPA polling of a few stable selectors is
     * answered from memory and never comes near it.
     */
    interface MissLimit {
        @WithDefault("true")
        boolean enabled();

        @WithDefault("50")
        int burst();

        @WithDefault("5")
        double perSecond();

        /**
         * A search whose answer holds more series costs more: one search per this many series (a composite page of
         * Elasticsearch's), the first taken before the search, the others charged after it. A namespace's wide answers
         * that the bounds leave unkept then cost its share what they cost Elasticsearch, not one search each.
         */
        @WithDefault("1000")
        int seriesPerSearch();
    }

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
