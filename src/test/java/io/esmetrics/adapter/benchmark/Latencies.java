package io.esmetrics.adapter.benchmark;

import java.util.Locale;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/** Latencies recorded by several threads, and their percentiles (HdrHistogram, as {@link VertxLoad} uses). */
final class Latencies {

    private final Histogram nanos = new ConcurrentHistogram(3);

    void record(long took) {
        nanos.recordValue(took);
    }

    long count() {
        return nanos.getTotalCount();
    }

    double percentileMillis(double percentile) {
        return count() == 0 ? Double.NaN : nanos.getValueAtPercentile(percentile) / 1e6;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "p50 %.2f ms, p99 %.2f ms (%d requests)", percentileMillis(50), percentileMillis(99),
                count());
    }
}
