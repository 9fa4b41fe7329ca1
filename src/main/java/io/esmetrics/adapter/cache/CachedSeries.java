package io.esmetrics.adapter.cache;

import io.esmetrics.adapter.provider.BackendUnavailableException;
import io.esmetrics.adapter.provider.MetricAnswer;
import io.esmetrics.adapter.provider.MetricQuery;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The state of one cached series: the last good answer, the last failure, and the one search in flight that
 * every concurrent asker shares (single flight).
 */
final class CachedSeries {

    private final SeriesKey key;
    private final MetricQuery query;
    private final AtomicReference<CompletableFuture<MetricAnswer>> inFlight = new AtomicReference<>();
    private volatile Snapshot lastGood;
    private volatile BackendUnavailableException lastFailure;
    private volatile Instant failingSince;
    private volatile Instant lastQueried = Instant.EPOCH;
    private volatile Instant lastRequested;
    private int weight = 1;

    CachedSeries(SeriesKey key, MetricQuery query, Instant now) {
        this.key = key;
        this.query = query;
        this.lastRequested = now;
    }

    SeriesKey key() {
        return key;
    }

    MetricQuery query() {
        return query;
    }

    void requested(Instant now) {
        lastRequested = now;
    }

    Instant lastRequested() {
        return lastRequested;
    }

    Instant lastQueried() {
        return lastQueried;
    }

    Optional<Snapshot> lastGood() {
        return Optional.ofNullable(lastGood);
    }

    /** The series this entry holds, as counted against the cache's bounds: one before its first answer. */
    int weight() {
        return weight;
    }

    /** Counts the series of the newest answer (under the cache's lock). */
    int reweigh() {
        Snapshot good = lastGood;
        weight = Math.max(1, good == null ? 0 : good.values().size());
        return weight;
    }

    /** Why the newest search failed, if it did. */
    Optional<BackendUnavailableException> lastFailure() {
        return Optional.ofNullable(lastFailure);
    }

    /** Since when every search has failed: the first failure after the last success. */
    Optional<Instant> failingSince() {
        return lastFailure == null ? Optional.empty() : Optional.ofNullable(failingSince);
    }

    /** Takes the right to search for this series; empty when a search is already running. */
    Optional<CompletableFuture<MetricAnswer>> claim(Instant now) {
        CompletableFuture<MetricAnswer> mine = new CompletableFuture<>();
        if (!inFlight.compareAndSet(null, mine)) {
            return Optional.empty();
        }
        lastQueried = now;
        return Optional.of(mine);
    }

    /** The running search, to wait for it instead of starting another. */
    Optional<CompletableFuture<MetricAnswer>> running() {
        return Optional.ofNullable(inFlight.get());
    }

    /** Records the answer of a claimed search and releases the claim. */
    void complete(CompletableFuture<MetricAnswer> claim, MetricAnswer answer, Instant now) {
        if (answer.succeeded()) {
            lastGood = new Snapshot(answer.values(), now);
            lastFailure = null;
        } else {
            RuntimeException failure = answer.failure().orElseThrow();
            if (lastFailure == null) {
                failingSince = now;
            }
            lastFailure = failure instanceof BackendUnavailableException unavailable
                    ? unavailable : new BackendUnavailableException(String.valueOf(failure.getMessage()), failure);
        }
        inFlight.compareAndSet(claim, null);
        claim.complete(answer);
    }
}
