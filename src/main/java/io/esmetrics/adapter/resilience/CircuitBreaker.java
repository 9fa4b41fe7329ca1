package io.esmetrics.adapter.resilience;

import io.esmetrics.adapter.provider.BackendUnavailableException;
import io.quarkus.logging.Log;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Stops sending requests to a dependency that keeps failing: after {@code failureThreshold} consecutive failures it
 * opens for a pause that doubles (with jitter) while single probes keep failing, and closes on the first success.
 * While open, requests fail at once with the last reason instead of tying up threads.
 */
public final class CircuitBreaker {

    /** In this order for the gauges: 0 closed, 1 open, 2 half-open. */
    public enum State {
        CLOSED, OPEN, HALF_OPEN;

        /** As explain shows it: {@code closed}, {@code open}, {@code half-open}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final String dependency;
    private final String requests;
    private final CircuitBreakerConfig config;
    private final Clock clock;
    private State state = State.CLOSED;
    private int consecutiveFailures;
    private int pauses;
    private Instant openUntil = Instant.EPOCH;
    private String lastFailure = "";

    /**
     * @param dependency what fails, for messages: {@code "Elasticsearch"}
     * @param requests   what is paused, for messages: {@code "searches"}
     */
    public CircuitBreaker(String dependency, String requests, CircuitBreakerConfig config, Clock clock) {
        this.dependency = dependency;
        this.requests = requests;
        this.config = config;
        this.clock = clock;
    }

    /**
     * Lets a request through, or refuses it while open; after the pause, exactly one request is the probe.
     *
     * @throws BackendUnavailableException while open, with the last failure
     */
    public synchronized void beforeRequest() {
        Instant now = clock.instant();
        if (state == State.CLOSED) {
            return;
        }
        if (state == State.OPEN && !now.isBefore(openUntil)) {
            state = State.HALF_OPEN;
            Log.debugf("%s circuit half-open: probing with one request", dependency);
            return;
        }
        long wait = Math.max(0, Duration.between(now, openUntil).toSeconds());
        throw new BackendUnavailableException(dependency + " failed " + consecutiveFailures + " times in a row; " + requests
                + " are paused (next attempt in " + wait + "s). Last failure: " + lastFailure);
    }

    public synchronized void succeeded() {
        if (state != State.CLOSED) {
            Log.infof("%s recovered: circuit closed after %d failed requests", dependency, consecutiveFailures);
        }
        state = State.CLOSED;
        consecutiveFailures = 0;
        pauses = 0;
    }

    /**
     * @param reason what failed, in words every caller may read: the refusals while open carry it to callers of every
     *               namespace, so it names no metric, index or address (FailureDescription)
     */
    public synchronized void failed(String reason) {
        lastFailure = reason;
        consecutiveFailures++;
        if (state == State.HALF_OPEN || consecutiveFailures >= config.failureThreshold()) {
            open();
        }
    }

    public synchronized State state() {
        return state;
    }

    private void open() {
        long base = config.initialPause().toMillis() << Math.min(pauses, 20);
        long pause = Math.min(config.maxPause().toMillis(), base);
        pause += ThreadLocalRandom.current().nextLong(pause / 2 + 1);
        pauses++;
        openUntil = clock.instant().plusMillis(pause);
        if (state == State.CLOSED) {
            Log.warnf("%s circuit open after %d consecutive failures, pausing %s for %d ms: %s",
                    dependency, consecutiveFailures, requests, pause, lastFailure);
        } else {
            Log.debugf("%s probe failed, pausing %s for %d ms: %s", dependency, requests, pause, lastFailure);
        }
        state = State.OPEN;
    }
}
