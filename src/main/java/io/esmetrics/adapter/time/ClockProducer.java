package io.esmetrics.adapter.time;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/**
 * The one clock of the adapter. Every decision that depends on age (a value's staleness budget, a stalled
 * pipeline, the circuit breaker's pause, a status older than its refresh) asks it instead of the system, so
 * that tests move time explicitly instead of sleeping, and production reads UTC.
 */
@Singleton
public class ClockProducer {

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }
}
