package io.esmetrics.adapter.observability;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.stream.DoubleStream;

/**
 * The buckets of {@code esmetrics_requests_seconds}, for percentiles on a dashboard. Set once, by a filter applied when
 * the meter is created: configured on the timer at every request, they cost the cached path (over mTLS) about half
 * its throughput in the benchmark.
 */
@Singleton
class RequestLatencyBuckets {

    /**
     * An answer from memory takes about a millisecond, one that waits for a search tens to hundreds; beyond 5 s (the
     * search timeout) only "too slow" matters.
     */
    private static final double[] BUCKETS_NANOS = DoubleStream.of(1, 2.5, 5, 10, 25, 50, 100, 250, 1_000, 5_000)
            .map(millis -> Duration.ofNanos(Math.round(millis * 1_000_000)).toNanos()).toArray();

    @Produces
    @Singleton
    MeterFilter requestLatencyBuckets() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (!MetricRequestMeters.NAME.equals(id.getName())) {
                    return config;
                }
                return DistributionStatisticConfig.builder().serviceLevelObjectives(BUCKETS_NANOS).build().merge(config);
            }
        };
    }
}
