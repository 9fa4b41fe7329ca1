package io.esmetrics.adapter.benchmark;

import java.util.Arrays;
import java.util.Locale;

/** Latencies recorded by several threads, and their percentiles. */
final class Latencies {

    private long[] nanos = new long[1024];
    private int count;

    synchronized void record(long took) {
        if (count == nanos.length) {
            nanos = Arrays.copyOf(nanos, count * 2);
        }
        nanos[count++] = took;
    }

    synchronized int count() {
        return count;
    }

    synchronized double percentileMillis(double percentile) {
        if (count == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(nanos, count);
        Arrays.sort(sorted);
        int index = (int) Math.min(count - 1, Math.max(0, Math.ceil(percentile / 100 * count) - 1));
        return sorted[index] / 1e6;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "p50 %.2f ms, p99 %.2f ms (%d requests)", percentileMillis(50), percentileMillis(99),
                count());
    }
}
