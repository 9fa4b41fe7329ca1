package io.esmetrics.adapter.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.esmetrics.adapter.provider.BackendUnavailableException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

    private final CircuitBreaker breaker = new CircuitBreaker(config(3, Duration.ofMillis(50), Duration.ofMillis(200)));

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
                .hasMessageContaining("failed 3 times in a row")
                .hasMessageContaining("connection refused");
    }

    @Test
    void letsOneProbeThroughAfterThePauseAndClosesWhenItSucceeds() {
        failThreeTimes("connection refused");
        await().atMost(Duration.ofSeconds(2)).until(() -> probeAllowed());
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        assertThatThrownBy(breaker::beforeRequest).as("a second request while the probe runs").isInstanceOf(BackendUnavailableException.class);

        breaker.succeeded();

        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        breaker.beforeRequest();
    }

    @Test
    void opensAgainWhenTheProbeFails() {
        failThreeTimes("connection refused");
        await().atMost(Duration.ofSeconds(2)).until(() -> probeAllowed());

        breaker.failed("still refused");

        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThatThrownBy(breaker::beforeRequest).hasMessageContaining("still refused");
    }

    private void failThreeTimes(String reason) {
        for (int i = 0; i < 3; i++) {
            breaker.failed(reason);
        }
    }

    private boolean probeAllowed() {
        try {
            breaker.beforeRequest();
            return true;
        } catch (BackendUnavailableException e) {
            return false;
        }
    }

    private static ElasticsearchConfig config(int threshold, Duration initialPause, Duration maxPause) {
        ElasticsearchConfig.CircuitBreakerConfig breaker = new ElasticsearchConfig.CircuitBreakerConfig() {
            @Override
            public int failureThreshold() {
                return threshold;
            }

            @Override
            public Duration initialPause() {
                return initialPause;
            }

            @Override
            public Duration maxPause() {
                return maxPause;
            }
        };
        return new ElasticsearchConfig() {
            @Override
            public Duration searchTimeout() {
                return Duration.ofSeconds(5);
            }

            @Override
            public int seriesPageSize() {
                return 1000;
            }

            @Override
            public int maxSeries() {
                return 10000;
            }

            @Override
            public Duration ingestLagInterval() {
                return Duration.ofSeconds(30);
            }

            @Override
            public Duration ingestLagLookback() {
                return Duration.ofHours(1);
            }

            @Override
            public CircuitBreakerConfig circuitBreaker() {
                return breaker;
            }

            @Override
            public Auth auth() {
                throw new UnsupportedOperationException("not read by the circuit breaker");
            }

            @Override
            public Tls tls() {
                throw new UnsupportedOperationException("not read by the circuit breaker");
            }
        };
    }
}
