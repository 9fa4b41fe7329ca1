package io.esmetrics.adapter.provider;

import java.util.List;
import java.util.Optional;

/** The answer to one {@link MetricQuery} of a batch: the values, or why there are none. */
public record MetricAnswer(List<MetricValue> values, Optional<RuntimeException> failure) {

    public MetricAnswer {
        values = List.copyOf(values);
    }

    public static MetricAnswer of(List<MetricValue> values) {
        return new MetricAnswer(values, Optional.empty());
    }

    public static MetricAnswer failed(RuntimeException failure) {
        return new MetricAnswer(List.of(), Optional.of(failure));
    }

    public boolean succeeded() {
        return failure.isEmpty();
    }
}
