package io.esmetrics.adapter.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.esmetrics.adapter.observability.RepeatedWarnings;
import io.esmetrics.adapter.provider.TooManySearchesException;
import io.esmetrics.adapter.resilience.TokenBucket;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Rate-limits, per namespace, the searches that cache misses cause. Whoever may read one metric in one namespace
 * could otherwise make one search per request (a selector nobody asked before each time) and saturate the
 * Elasticsearch every HPA in the cluster reads from. Background refreshes are not limited: their number follows
 * what is cached, which is bounded.
 */
@ApplicationScoped
class MissSearchLimiter {

    private static final RepeatedWarnings WARNINGS = new RepeatedWarnings(MissSearchLimiter.class);

    private final CacheConfig.MissLimit config;
    private final CacheMeters meters;
    private final Clock clock;
    // Bounded: namespaces are few, and a bucket left alone for a while is full again anyway.
    private final Cache<String, TokenBucket> buckets = Caffeine.newBuilder()
            .expireAfterAccess(Duration.ofMinutes(10)).maximumSize(100_000).build();

    MissSearchLimiter(CacheConfig config, CacheMeters meters, Clock clock) {
        this.config = config.missLimit();
        this.meters = meters;
        this.clock = clock;
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
        Instant now = clock.instant();
        TokenBucket bucket = buckets.get(namespace,
                key -> new TokenBucket(Math.max(1, config.burst()), Math.max(0.001, config.perSecond()), now));
        Optional<Duration> wait = bucket.tryTake(now);
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
