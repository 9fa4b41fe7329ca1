package io.esmetrics.adapter.testsupport;

import io.quarkus.arc.Arc;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * The adapter's clock in every {@code @QuarkusTest} (it replaces the production one): it follows the system clock
 * until a test sets it, then stands still until moved. Tests decide the time instead of sleeping through it. A
 * class that sets it gets the system clock back after it ({@link ClockFollowsSystemAfterEachClass}). Plain unit
 * tests create their own.
 */
@Alternative
@Priority(1)
@Singleton
public class AdjustableClock extends Clock {

    private volatile Instant fixed;

    /** The adapter's clock, for static set-up methods ({@code @BeforeAll}) that cannot have it injected. */
    public static AdjustableClock ofRunningAdapter() {
        return Arc.container().instance(AdjustableClock.class).get();
    }

    /** Stops the clock at {@code at}. */
    public void set(Instant at) {
        fixed = at;
    }

    /** Stops the clock at the system's time, to the millisecond as Elasticsearch keeps it, and returns that time. */
    public Instant freeze() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        fixed = now;
        return now;
    }

    /** Moves the stopped clock forward (stopping it first at the system's time if it runs). */
    public synchronized Instant advance(Duration by) {
        Instant from = fixed != null ? fixed : Instant.now();
        fixed = from.plus(by);
        return fixed;
    }

    /** Back to the system clock. */
    public void followSystem() {
        fixed = null;
    }

    @Override
    public Instant instant() {
        Instant at = fixed;
        return at != null ? at : Instant.now();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the adapter reads UTC only");
    }
}
