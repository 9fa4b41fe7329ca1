package io.esmetrics.adapter.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.esmetrics.adapter.provider.BackendUnavailableException;
import io.esmetrics.adapter.testsupport.AdjustableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The breaker's decisions with time moved by hand: milliseconds to run, nothing waited for. */
class CircuitBreakerTest {

    private static final Duration INITIAL_PAUSE = Duration.ofSeconds(1);
    private static final Duration MAX_PAUSE = Duration.ofSeconds(8);

    private final AdjustableClock clock = new AdjustableClock();
    private final CircuitBreaker breaker = new CircuitBreaker("Elasticsearch", "searches", config(3), clock);

    CircuitBreakerTest() {
        clock.set(Instant.parse("2026-11-30T10:00:00Z"));
    }

    @Test
    void staysClosedBelowTheFailureThreshold() {
        breaker.failed("boom");
        breaker.failed("boom");

        breaker.beforeRequest();

        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void refusesRequestsWithTheLastReasonWhileOpen() {
        failThreeTimes("connection refused");

        assertThatThrownBy(breaker::beforeRequest)
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessage("Elasticsearch failed 3 times in a row; searches are paused (next attempt in 1s). Last failure: connection refused")
                .hasMessageContaining("connection refused");
    }

    @Test
    void staysOpenForTheInitialPauseAtLeast() {
        failThreeTimes("connection refused");

        clock.advance(INITIAL_PAUSE.minusMillis(1));

        assertThat(probeAllowed()).isFalse();
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    }

    @Test
    void letsOneProbeThroughAfterThePauseAndClosesWhenItSucceeds() {
        failThreeTimes("connection refused");
        clock.advance(jitteredMaximum(INITIAL_PAUSE));
        assertThat(probeAllowed()).isTrue();
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        assertThatThrownBy(breaker::beforeRequest).as("a second request while the probe runs").isInstanceOf(BackendUnavailableException.class);

        breaker.succeeded();

        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        breaker.beforeRequest();
    }

    @Test
    void opensAgainWhenTheProbeFailsForTwiceThePause() {
        failThreeTimes("connection refused");
        clock.advance(jitteredMaximum(INITIAL_PAUSE));
        assertThat(probeAllowed()).isTrue();

        breaker.failed("still refused");

        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThatThrownBy(breaker::beforeRequest).hasMessageContaining("still refused");
        clock.advance(INITIAL_PAUSE.multipliedBy(2).minusMillis(1));
        assertThat(probeAllowed()).as("the pause doubled").isFalse();
        clock.advance(jitteredMaximum(INITIAL_PAUSE.multipliedBy(2)));
        assertThat(probeAllowed()).isTrue();
    }

    @Test
    void neverPausesLongerThanTheMaximumPlusJitter() {
        failThreeTimes("connection refused");
        for (int probe = 0; probe < 10; probe++) {
            clock.advance(jitteredMaximum(MAX_PAUSE));
            assertThat(probeAllowed()).as("probe %d", probe).isTrue();
            breaker.failed("still refused");
        }
    }

    private void failThreeTimes(String reason) {
        for (int i = 0; i < 3; i++) {
            breaker.failed(reason);
        }
    }

    /** A pause plus its largest jitter (half of it), plus a millisecond. */
    private static Duration jitteredMaximum(Duration pause) {
        return pause.plus(pause.dividedBy(2)).plusMillis(1);
    }

    private boolean probeAllowed() {
        try {
            breaker.beforeRequest();
            return true;
        } catch (BackendUnavailableException e) {
            return false;
        }
    }

    private static CircuitBreakerConfig config(int threshold) {
        return new CircuitBreakerConfig() {
            @Override
            public int failureThreshold() {
                return threshold;
            }

            @Override
            public Duration initialPause() {
                return INITIAL_PAUSE;
            }

            @Override
            public Duration maxPause() {
                return MAX_PAUSE;
            }
        };
    }
}
