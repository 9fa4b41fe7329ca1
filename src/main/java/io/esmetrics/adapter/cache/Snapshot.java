package io.esmetrics.adapter.cache;

import io.esmetrics.adapter.provider.MetricValue;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A good answer and when it was fetched. */
record Snapshot(List<MetricValue> values, Instant fetchedAt) {

    Duration age(Instant now) {
        return Duration.between(fetchedAt, now);
    }
}
