package io.esmetrics.adapter.resilience;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** A token bucket read from the injected clock: {@code capacity} tokens, refilled at {@code perSecond}. */
final class TokenBucket {

    private final double capacity;
    private final double perSecond;
    private double tokens;
    private Instant refilledAt;

    TokenBucket(int capacity, double perSecond, Instant now) {
        this.capacity = capacity;
        this.perSecond = perSecond;
        this.tokens = capacity;
        this.refilledAt = now;
    }

    /** Takes a token; when there is none, how long until there is one. */
    synchronized Optional<Duration> tryTake(Instant now) {
        Optional<Duration> wait = emptyFor(now);
        if (wait.isEmpty()) {
            tokens -= 1;
        }
        return wait;
    }

    /**
     * Takes {@code count} more tokens for work already done (a search found to cost more than one), going into debt
     * down to minus the capacity at most: the debt is paid back by refill before the next token is given.
     */
    synchronized void charge(double count, Instant now) {
        refill(now);
        tokens = Math.max(-capacity, tokens - count);
    }

    /** Takes nothing: when there is no token, how long until there is one. */
    synchronized Optional<Duration> emptyFor(Instant now) {
        refill(now);
        return tokens >= 1 ? Optional.empty() : Optional.of(Duration.ofNanos((long) Math.ceil((1 - tokens) / perSecond * 1e9)));
    }

    private void refill(Instant now) {
        if (now.isAfter(refilledAt)) {
            double elapsed = Duration.between(refilledAt, now).toNanos() / 1e9;
            tokens = Math.min(capacity, tokens + elapsed * perSecond);
            refilledAt = now;
        }
    }
}
