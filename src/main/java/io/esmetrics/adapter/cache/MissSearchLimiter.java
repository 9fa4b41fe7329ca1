package io.esmetrics.adapter.cache;

import io.esmetrics.adapter.observability.RepeatedWarnings;
import io.esmetrics.adapter.provider.TooManySearchesException;
import io.esmetrics.adapter.resilience.TokenBuckets;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Rate-limits, per namespace, the searches that cache misses cause, each costing one search per thousand series its
 * answer holds. Whoever may read one metric in one namespace could otherwise make one search per request (a selector
 * nobody asked before each time) and saturate the Elasticsearch every HPA in the cluster reads from. Background
 * refreshes are not limited: their number follows what is cached, which is bounded.
 */
@ApplicationScoped
class MissSearchLimiter {

    private static final RepeatedWarnings WARNINGS = new RepeatedWarnings(MissSearchLimiter.class);

    private final CacheConfig.MissLimit config;
    private final CacheMeters meters;
    private final Clock clock;
    private final TokenBuckets buckets;

    MissSearchLimiter(CacheConfig config, CacheMeters meters, Clock clock) {
        this.config = config.missLimit();
        this.meters = meters;
        this.clock = clock;
        this.buckets = new TokenBuckets(this.config.burst(), this.config.perSecond());
    }

    /**
     * Charges the namespace's share for the rest of a search that found {@code series} series: one search per
     * {@code series-per-search}, the first already taken by {@link #acquire}. Its next searches wait for the debt.
     */
    void charge(String namespace, int series) {
        if (!config.enabled()) {
            return;
        }
        int searches = (series + Math.max(1, config.seriesPerSearch()) - 1) / Math.max(1, config.seriesPerSearch());
        buckets.charge(namespace, searches - 1, clock.instant());
    }

    /**
     * Takes one search from the namespace's share.
     *
     * @throws TooManySearchesException the namespace has none left now
     */
    void acquire(String namespace, String metricName) {
        if (!config.enabled()) {
            return;
        }
        Optional<Duration> wait = buckets.tryTake(namespace, clock.instant());
        if (wait.isPresent()) {
            meters.rateLimited(metricName);
            WARNINGS.warn("Namespace " + namespace + " asks for more values that are not in memory than "
                    + config.burst() + " at once and " + config.perSecond() + " per second (adapter.cache.miss-limit): "
                    + "its requests that would need a search are answered 429 until it slows down");
            throw new TooManySearchesException("namespace " + namespace + " asked for more values that are not in memory "
                    + "than its share of Elasticsearch searches (" + config.perSecond() + " per second, "
                    + config.burst() + " at once); retry later, or ask for fewer distinct selectors", wait.get());
        }
    }
}
