package io.esmetrics.adapter.authentication;

import io.esmetrics.adapter.observability.RepeatedWarnings;
import io.esmetrics.adapter.resilience.TokenBuckets;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Bounds, per client address, the requests that are refused: each unknown bearer token costs a TokenReview and each
 * refused name a SubjectAccessReview, so any pod could otherwise make the adapter load the API server with reviews
 * of random tokens and names. Requests that succeed cost nothing here.
 */
@ApplicationScoped
public class FailedRequestThrottle {

    private static final RepeatedWarnings WARNINGS = new RepeatedWarnings(FailedRequestThrottle.class);

    private final AuthenticationConfig.FailureLimit config;
    private final Clock clock;
    private final Counter refused;
    private final Counter throttled;
    private final TokenBuckets buckets;

    FailedRequestThrottle(AuthenticationConfig config, Clock clock, MeterRegistry registry) {
        this.config = config.failureLimit();
        this.clock = clock;
        this.buckets = new TokenBuckets(this.config.burst(), this.config.perSecond());
        this.refused = Counter.builder("esmetrics.access.refused")
                .description("API requests refused 401 or 403, aggregator's excepted").register(registry);
        this.throttled = Counter.builder("esmetrics.access.throttled")
                .description("API requests answered 429 because their address was refused too often").register(registry);
    }

    /**
     * Before a request is authenticated.
     *
     * @throws TooManyFailedRequestsException the address has used up its share of refusals for now
     */
    public void requireAllowed(String clientAddress) {
        if (!config.enabled()) {
            return;
        }
        Optional<Duration> wait = buckets.emptyFor(clientAddress, clock.instant());
        if (wait.isPresent()) {
            throttled.increment();
            WARNINGS.warn("Requests from " + clientAddress + " were refused (401, 403) more than " + config.burst()
                    + " times at once and " + config.perSecond() + " per second (adapter.authentication.failure-limit): "
                    + "they are answered 429 until it slows down");
            throw new TooManyFailedRequestsException("too many refused requests from this address; retry later",
                    wait.get());
        }
    }

    /** After a request of this address was refused 401 or 403. */
    public void refused(String clientAddress) {
        refused.increment();
        if (config.enabled()) {
            buckets.tryTake(clientAddress, clock.instant());
        }
    }
}
