package io.esmetrics.adapter.cache;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * How a request for an answer the cache holds is served at a given moment: from memory, by a search, or with the
 * failure of a search that just failed. Pure, so that the staleness budget and the pause after a failure are tested
 * by moving time, without Quarkus or Elasticsearch ({@code CacheDecisionTest}); which searches run, and who waits for
 * them, is {@link CachingMetricsProvider}'s.
 */
enum CacheDecision {

    /** The last good value, within its staleness budget; the newest search succeeded. */
    HIT,
    /** The last good value, within its staleness budget, although the newest search failed. */
    STALE,
    /** No value that may be served: search (one search, however many ask at once). */
    SEARCH,
    /** No value that may be served, and the newest search failed less than the minimum query interval ago: its failure. */
    RECENT_FAILURE;

    /**
     * @param lastGoodAt   when the last good value was computed; empty when no search has succeeded
     * @param failing      whether the newest search failed
     * @param lastSearched when the newest search started
     * @param budget       the metric's staleness budget ({@code max-value-age})
     * @param minInterval  the metric's fewest time between two searches ({@code min-query-interval})
     */
    static CacheDecision at(Instant now, Optional<Instant> lastGoodAt, boolean failing, Instant lastSearched,
            Duration budget, Duration minInterval) {
        if (lastGoodAt.isPresent() && Duration.between(lastGoodAt.get(), now).compareTo(budget) <= 0) {
            return failing ? STALE : HIT;
        }
        if (failing && lastSearched.plus(minInterval).isAfter(now)) {
            return RECENT_FAILURE;
        }
        return SEARCH;
    }

    /** Whether the request is answered from memory. */
    boolean fromMemory() {
        return this == HIT || this == STALE;
    }
}
