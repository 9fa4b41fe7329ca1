package io.esmetrics.adapter.cache;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * When in each refresh interval the background refresh starts, learned from when values are read, so that the refresh
 * ends just before most reads (docs/design.md, "The refresh ends just before the HPA reads"). The HPA controller reads
 * each metric once per sync period, at a steady phase; a refresh that ends just after those reads hands them a value
 * almost one interval old, one that ends just before them a value a few hundred milliseconds old, for the same number
 * of searches.
 * <p>
 * Reads are counted by their phase in the interval (bins of {@link #BIN}). The refresh is placed to end at the phase
 * that minimises the mean age of the values read, weighing each read alike: reads spread evenly over the interval (a
 * poller of its own cadence, {@code kubectl get --raw} in a loop) weigh the same at every phase and do not move it;
 * the HPA controller's reads, which come back at the same phase every period, do. Older periods count for less (their
 * weight halves at every refresh), so a phase that changes (the controller restarted, HPAs moved) is followed within a
 * few intervals. Without reads the refresh keeps its interval.
 * <p>
 * Moving the phase costs no search: refreshes start one interval apart in a steady state; a move later delays one
 * refresh by less than an interval (a value once up to two intervals old, well within the staleness budget), and a move
 * earlier by up to a quarter of an interval (a refresh that takes a little longer than the last) brings one that much
 * forward, never more. Not thread-safe but for {@link #read}: the refresher calls the rest from its one thread.
 */
final class RefreshPhase {

    /** Resolution of the phase: finer than a search takes, coarse enough to stay a small array. */
    static final Duration BIN = Duration.ofMillis(100);
    /** Kept between the end of the refresh and the reads it serves, for a refresh that takes longer than the last. */
    static final Duration MARGIN = Duration.ofMillis(250);

    private final long intervalMillis;
    private final long binMillis;
    private final AtomicLongArray readsSinceFold;
    private final double[] weights;

    RefreshPhase(Duration interval) {
        this.intervalMillis = Math.max(1, interval.toMillis());
        int bins = (int) Math.max(1, Math.min(10_000, intervalMillis / BIN.toMillis()));
        this.binMillis = Math.max(1, intervalMillis / bins);
        this.readsSinceFold = new AtomicLongArray(bins);
        this.weights = new double[bins];
    }

    /** Counts a read of a cached value; cheap, from any thread. */
    void read(Instant at) {
        readsSinceFold.incrementAndGet(bin(at.toEpochMilli()));
    }

    /**
     * When the refresh after the one that started at {@code started} starts: at the phase that ends it, given that a
     * refresh takes about {@code duration}, just before the reads, and at least three quarters of an interval after
     * {@code started}.
     */
    Instant next(Instant started, Duration duration) {
        fold();
        long end = bestEnd();
        if (end < 0) {
            return started.plusMillis(intervalMillis);
        }
        long lead = Math.min(intervalMillis / 2, duration.toMillis() + MARGIN.toMillis());
        long phase = Math.floorMod(end - lead, intervalMillis);
        long earliest = started.toEpochMilli() + intervalMillis - intervalMillis / 4;
        long next = earliest - Math.floorMod(earliest, intervalMillis) + phase;
        return Instant.ofEpochMilli(next < earliest ? next + intervalMillis : next);
    }

    /** Ages old reads by half, and adds those since the last refresh. */
    private void fold() {
        for (int bin = 0; bin < weights.length; bin++) {
            weights[bin] = weights[bin] / 2 + readsSinceFold.getAndSet(bin, 0);
        }
    }

    /**
     * The phase (milliseconds into the interval) at which a value must be fresh to minimise the mean age of the reads,
     * or -1 without reads. A value made fresh at the start of bin {@code e} is read at bin {@code b} at an age of
     * {@code (b - e) mod bins} bins (plus the time into the bin); the candidate with the smallest weighted sum wins, the
     * earliest one among equals.
     */
    private long bestEnd() {
        int bins = weights.length;
        double total = 0;
        double weightedPhase = 0;
        for (int bin = 0; bin < bins; bin++) {
            total += weights[bin];
            weightedPhase += weights[bin] * bin;
        }
        if (total == 0) {
            return -1;
        }
        // Cost of ending at bin 0: every read's own bin. Moving the end one bin later makes every read one bin younger,
        // except those of the bin just passed, which go from age 0 to the oldest (bins - 1): an update in O(1).
        double cost = weightedPhase;
        double best = cost;
        int bestBin = 0;
        for (int end = 1; end < bins; end++) {
            cost += bins * weights[end - 1] - total;
            if (cost < best - 1e-9) {
                best = cost;
                bestBin = end;
            }
        }
        return bestBin * binMillis;
    }

    private int bin(long epochMillis) {
        return (int) Math.min(weights.length - 1, Math.floorMod(epochMillis, intervalMillis) / binMillis);
    }
}
