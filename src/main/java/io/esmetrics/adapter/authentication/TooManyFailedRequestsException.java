package io.esmetrics.adapter.authentication;

import java.time.Duration;

/**
 * A client address was refused (401, 403) more often than its share: answered 429 with {@code Retry-After}, without
 * asking the API server about its credentials again.
 */
public final class TooManyFailedRequestsException extends RuntimeException {

    private final Duration retryAfter;

    TooManyFailedRequestsException(String message, Duration retryAfter) {
        super(message);
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
