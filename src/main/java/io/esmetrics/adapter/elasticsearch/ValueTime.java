package io.esmetrics.adapter.elasticsearch;

import io.esmetrics.adapter.rules.MetricRule;
import java.time.Instant;
import java.util.Optional;

/**
 * The moment one metric's value is computed for, and where its window ends there ({@link MetricRule#windowEnd}):
 * fixed once per search, so that the request's time range, the value's timestamp and a zero for a quiet namespace all
 * speak of the same window.
 *
 * @param windowEnd the end of the window of a windowed aggregation; {@code now} for {@code latest}
 */
record ValueTime(Instant now, Instant windowEnd) {

    static ValueTime of(MetricRule rule, Instant now, Optional<Instant> watermark) {
        return new ValueTime(now, rule.aggregation().usesWindow() ? rule.windowEnd(now, watermark) : now);
    }

    /** What a value's {@code timestamp} says: the end of its window, or the moment a {@code latest} was read. */
    Instant timestamp() {
        return windowEnd;
    }
}
