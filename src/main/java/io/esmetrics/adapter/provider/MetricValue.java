package io.esmetrics.adapter.provider;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One series of a metric at one moment.
 *
 * @param window present only for rates: the span the value was averaged over
 */
public record MetricValue(String metricName, Map<String, String> labels, BigDecimal value, Instant timestamp,
        Optional<Duration> window) {

    public MetricValue {
        labels = Map.copyOf(labels);
    }
}
