package io.esmetrics.adapter.provider;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a provider holds in memory for one query, as {@code explain=true} shows it: the last good values (already
 * selected for the query's selector), how old they may grow, and the newest failure.
 *
 * @param values        the last good answer; empty when no search has answered yet
 * @param computedAt    when the backend computed {@code values}
 * @param budget        how old a value may be and still be served (the metric's staleness budget)
 * @param served        whether a metric request is answered with {@code values} now, as the cache decides
 * @param lastFailure   why the newest search failed, if it did
 * @param failingSince  since when every search has failed (the first failure after the last success)
 * @param lastSearched  when the last search for it started; {@link Instant#EPOCH} before the first
 * @param fromNamespace whether the values were picked from the answer every selector of the namespace shares
 */
public record HeldAnswer(Optional<List<MetricValue>> values, Optional<Instant> computedAt, Duration budget,
        boolean served, Optional<BackendUnavailableException> lastFailure, Optional<Instant> failingSince, Instant lastSearched,
        boolean fromNamespace) {

    /** The age of the values at {@code now}; empty without values. */
    public Optional<Duration> age(Instant now) {
        return computedAt.map(at -> Duration.between(at, now));
    }
}
