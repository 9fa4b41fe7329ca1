package io.esmetrics.adapter.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The cache's hit/stale/search decision with time moved by hand: milliseconds to run, nothing waited for. */
class CacheDecisionTest {

    private static final Instant SEARCHED = Instant.parse("2026-11-30T10:00:00Z");
    private static final Duration BUDGET = Duration.ofMinutes(2);
    private static final Duration MIN_INTERVAL = Duration.ofSeconds(5);

    private static CacheDecision after(Duration elapsed, boolean failing) {
        return CacheDecision.at(SEARCHED.plus(elapsed), Optional.of(SEARCHED), failing, SEARCHED, BUDGET, MIN_INTERVAL);
    }

    @Test
    void servesAGoodValueFromMemoryUpToTheEndOfItsBudget() {
        assertThat(after(Duration.ZERO, false)).isEqualTo(CacheDecision.HIT);
        assertThat(after(BUDGET, false)).isEqualTo(CacheDecision.HIT);
    }

    @Test
    void searchesOneMillisecondPastTheBudget() {
        assertThat(after(BUDGET.plusMillis(1), false)).isEqualTo(CacheDecision.SEARCH);
    }

    @Test
    void servesTheLastGoodValueAsStaleWhileSearchesFailWithinTheBudget() {
        assertThat(after(Duration.ofSeconds(90), true)).isEqualTo(CacheDecision.STALE);
        assertThat(after(BUDGET, true)).isEqualTo(CacheDecision.STALE);
    }

    /** Past the budget, a failing metric is searched again at most every min-query-interval: in between, its failure. */
    @Test
    void answersTheRecentFailureWithoutSearchingWithinTheMinimumInterval() {
        Instant lastSearch = SEARCHED.plus(BUDGET);
        Instant now = lastSearch.plusSeconds(3);

        assertThat(CacheDecision.at(now, Optional.of(SEARCHED), true, lastSearch, BUDGET, MIN_INTERVAL))
                .isEqualTo(CacheDecision.RECENT_FAILURE);
        assertThat(CacheDecision.at(lastSearch.plus(MIN_INTERVAL), Optional.of(SEARCHED), true, lastSearch, BUDGET, MIN_INTERVAL))
                .isEqualTo(CacheDecision.SEARCH);
    }

    @Test
    void searchesWhenNothingGoodWasEverFound() {
        assertThat(CacheDecision.at(SEARCHED, Optional.empty(), false, Instant.EPOCH, BUDGET, MIN_INTERVAL))
                .isEqualTo(CacheDecision.SEARCH);
        assertThat(CacheDecision.at(SEARCHED.plusSeconds(1), Optional.empty(), true, SEARCHED, BUDGET, MIN_INTERVAL))
                .isEqualTo(CacheDecision.RECENT_FAILURE);
        assertThat(CacheDecision.at(SEARCHED.plusSeconds(6), Optional.empty(), true, SEARCHED, BUDGET, MIN_INTERVAL))
                .isEqualTo(CacheDecision.SEARCH);
    }

    @Test
    void onlyHitsAndStaleValuesComeFromMemory() {
        assertThat(CacheDecision.HIT.fromMemory()).isTrue();
        assertThat(CacheDecision.STALE.fromMemory()).isTrue();
        assertThat(CacheDecision.SEARCH.fromMemory()).isFalse();
        assertThat(CacheDecision.RECENT_FAILURE.fromMemory()).isFalse();
    }
}
