package io.esmetrics.adapter.resilience;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One {@link TokenBucket} per key (a namespace, a client address), each {@code burst} tokens refilled at
 * {@code perSecond}. Bounded: a bucket left alone for a while is full again anyway, and is then the same as none.
 */
public final class TokenBuckets {

    private final int burst;
    private final double perSecond;
    private final Cache<String, TokenBucket> buckets = Caffeine.newBuilder()
            .expireAfterAccess(Duration.ofMinutes(10)).maximumSize(100_000).build();

    public TokenBuckets(int burst, double perSecond) {
        this.burst = Math.max(1, burst);
        this.perSecond = Math.max(0.001, perSecond);
    }

    /** Takes a token of {@code key}'s bucket; when there is none, how long until there is one. */
    public Optional<Duration> tryTake(String key, Instant now) {
        return buckets.get(key, absent -> new TokenBucket(burst, perSecond, now)).tryTake(now);
    }

    /** Takes {@code count} more tokens of {@code key}'s bucket for work already done, into debt if need be. */
    public void charge(String key, double count, Instant now) {
        if (count > 0) {
            buckets.get(key, absent -> new TokenBucket(burst, perSecond, now)).charge(count, now);
        }
    }

    /** Takes nothing: when {@code key}'s bucket has no token, how long until it has one. */
    public Optional<Duration> emptyFor(String key, Instant now) {
        TokenBucket bucket = buckets.getIfPresent(key);
        return bucket == null ? Optional.empty() : bucket.emptyFor(now);
    }
}
