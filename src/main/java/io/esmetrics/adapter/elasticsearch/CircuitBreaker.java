package io.esmetrics.adapter.elasticsearch;

import io.esmetrics.adapter.provider.BackendUnavailableException;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Stops sending searches to an Elasticsearch that keeps failing: after {@code failureThreshold} consecutive
 * failures it opens for a pause that doubles (with jitter) while single probes keep failing, and closes on the
 * first success. While open, searches fail at once with the last reason instead of tying up threads.
 */
@ApplicationScoped
class CircuitBreaker {

    enum State { CLOSED, OPEN, HALF_OPEN }

    private final ElasticsearchConfig.CircuitBreakerConfig config;
    private final Clock clock;
    private State state = State.CLOSED;
    private int consecutiveFailures;
    private int pauses;
    private Instant openUntil = Instant.EPOCH;
    private String lastFailure = "";

    @Inject
    CircuitBreaker(ElasticsearchConfig config, Clock clock) {
        this(config.circuitBreaker(), clock);
    }

    CircuitBreaker(ElasticsearchConfig.CircuitBreakerConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    /** Lets a request through, or refuses it while open; after the pause, exactly one request is the probe. */
    synchronized void beforeRequest() {
        Instant now = clock.instant();
        if (state == State.CLOSED) {
            return;
        }
        if (state == State.OPEN && !now.isBefore(openUntil)) {
            state = State.HALF_OPEN;
            Log.debug("Elasticsearch circuit half-open: probing with one request");
            return;
        }
        long wait = Math.max(0, Duration.between(now, openUntil).toSeconds());
        throw new BackendUnavailableException("Elasticsearch failed " + consecutiveFailures
                + " times in a row; searches are paused (next attempt in " + wait + "s). Last failure: " + lastFailure);
    }

    synchronized void succeeded() {
        if (state != State.CLOSED) {
            Log.infof("Elasticsearch recovered: circuit closed after %d failed requests", consecutiveFailures);
        }
        state = State.CLOSED;
        consecutiveFailures = 0;
        pauses = 0;
    }

    synchronized void failed(String reason) {
        lastFailure = reason;
        consecutiveFailures++;
        if (state == State.HALF_OPEN || consecutiveFailures >= config.failureThreshold()) {
            open();
        }
    }

    synchronized State state() {
        return state;
    }

    private void open() {
        long base = config.initialPause().toMillis() << Math.min(pauses, 20);
        long pause = Math.min(config.maxPause().toMillis(), base);
        pause += ThreadLocalRandom.current().nextLong(pause / 2 + 1);
        pauses++;
        openUntil = clock.instant().plusMillis(pause);
        if (state == State.CLOSED) {
            Log.warnf("Elasticsearch circuit open after %d consecutive failures, pausing searches for %d ms: %s",
                    consecutiveFailures, pause, lastFailure);
        } else {
            Log.debugf("Elasticsearch probe failed, pausing searches for %d ms: %s", pause, lastFailure);
        }
        state = State.OPEN;
    }
}
