package io.esmetrics.adapter.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Where the background refresh puts itself in the interval, from reads with known times (no clock, no sleep). */
class RefreshPhaseTest {

    private static final Duration INTERVAL = Duration.ofSeconds(15);
    /** A moment at the start of an interval: epoch milliseconds divisible by 15,000. */
    private static final Instant PERIOD_START = Instant.ofEpochSecond(1_795_341_600L);
    private static final Duration SEARCH = Duration.ofMillis(400);

    private final RefreshPhase phase = new RefreshPhase(INTERVAL);

    @Test
    void withoutReadsKeepsItsInterval() {
        Instant started = PERIOD_START.plusMillis(3_210);

        assertThat(phase.next(started, SEARCH)).isEqualTo(started.plus(INTERVAL));
    }

    @Test
    void endsJustBeforeTheHpaReadsByTheRefreshDurationAndAMargin() {
        hpaReads(7_000, 4);

        Instant next = phase.next(PERIOD_START.plusMillis(2_000), SEARCH);

        assertThat(next).isEqualTo(PERIOD_START.plus(INTERVAL).plusMillis(7_000).minus(SEARCH).minus(RefreshPhase.MARGIN));
    }

    @Test
    void readsSpreadEvenlyOverTheIntervalDoNotMoveIt() {
        hpaReads(7_000, 4);
        for (int period = 0; period < 4; period++) {
            for (long millis = 0; millis < INTERVAL.toMillis(); millis += 100) {
                phase.read(PERIOD_START.plus(INTERVAL.multipliedBy(period)).plusMillis(millis)); // a 100 ms poller
            }
        }

        Instant next = phase.next(PERIOD_START.plusMillis(2_000), SEARCH);

        assertThat(phase(next)).isEqualTo(7_000 - SEARCH.toMillis() - RefreshPhase.MARGIN.toMillis());
    }

    @Test
    void endsBeforeTheFirstReadsOfABurstNotInItsMiddle() {
        // Many HPAs read one after another from 7 s to 9 s into each interval.
        for (int period = 0; period < 3; period++) {
            for (long millis = 7_000; millis < 9_000; millis += 20) {
                phase.read(PERIOD_START.plus(INTERVAL.multipliedBy(period)).plusMillis(millis));
            }
        }

        assertThat(phase(phase.next(PERIOD_START, SEARCH))).isEqualTo(7_000 - 650);
    }

    @Test
    void startsExactlyOneIntervalApartOnceInPhase() {
        hpaReads(7_000, 2);
        Instant first = phase.next(PERIOD_START.plusMillis(1_000), SEARCH);

        Instant second = phase.next(first, SEARCH);
        Instant third = phase.next(second, SEARCH);

        assertThat(Duration.between(first, second)).isEqualTo(INTERVAL);
        assertThat(Duration.between(second, third)).isEqualTo(INTERVAL);
    }

    @Test
    void followsARefreshThatTakesLongerWithoutSkippingAnInterval() {
        hpaReads(7_000, 2);
        Instant first = phase.next(PERIOD_START, SEARCH);

        Instant second = phase.next(first, SEARCH.plusMillis(60));

        assertThat(Duration.between(first, second)).isEqualTo(INTERVAL.minusMillis(60));
    }

    @Test
    void followsTheReadsToAnotherPhaseWithoutEverStartingSoonerThanThreeQuartersOfAnIntervalAfterTheLast() {
        hpaReads(7_000, 8);
        Instant started = phase.next(PERIOD_START, SEARCH);
        // The controller restarted: its reads now come at 12 s.
        for (int refresh = 0; refresh < 3; refresh++) {
            Instant periodStart = started.minusMillis(phase(started));
            phase.read(periodStart.plusMillis(12_000));
            phase.read(periodStart.plus(INTERVAL).plusMillis(12_000));
            Instant next = phase.next(started, SEARCH);
            assertThat(Duration.between(started, next)).isGreaterThanOrEqualTo(INTERVAL.multipliedBy(3).dividedBy(4))
                    .isLessThan(INTERVAL.multipliedBy(7).dividedBy(4));
            started = next;
        }

        assertThat(phase(started)).isEqualTo(12_000 - 650);
    }

    @Test
    void leadsByHalfAnIntervalAtMostWhateverARefreshTakes() {
        hpaReads(7_000, 2);

        Instant next = phase.next(PERIOD_START, Duration.ofMinutes(1));

        assertThat(phase(next)).isEqualTo(7_000 - INTERVAL.toMillis() / 2 + INTERVAL.toMillis());
    }

    @Test
    void anIntervalShorterThanABinStillHasAPhase() {
        RefreshPhase fast = new RefreshPhase(Duration.ofMillis(50));
        fast.read(PERIOD_START.plusMillis(20));

        assertThat(fast.next(PERIOD_START, Duration.ZERO)).isAfterOrEqualTo(PERIOD_START.plusMillis(50));
    }

    /** One read at {@code millis} into each of {@code periods} intervals, as one HPA at its steady phase. */
    private void hpaReads(long millis, int periods) {
        for (int period = 0; period < periods; period++) {
            phase.read(PERIOD_START.plus(INTERVAL.multipliedBy(period)).plusMillis(millis));
        }
    }

    private static long phase(Instant at) {
        return Math.floorMod(at.toEpochMilli(), INTERVAL.toMillis());
    }
}
