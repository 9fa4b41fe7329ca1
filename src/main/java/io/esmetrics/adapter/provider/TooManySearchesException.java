package io.esmetrics.adapter.provider;

import java.time.Duration;

/**
 * A namespace asked for more searches than its share (cache misses are rate-limited per namespace, so that one
 * tenant cannot saturate the Elasticsearch every HPA depends on). Answered 429 with {@code Retry-After}.
 */
public final class TooManySearchesException extends RuntimeException {

    private final Duration retryAfter;

    public TooManySearchesException(String message, Duration retryAfter) {
        super(message);
        this.retryAfter = retryAfter;
    }

    /** When a search may be asked for again: the time until the namespace has a token. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
