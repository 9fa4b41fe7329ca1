package io.esmetrics.adapter.externalmetrics;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.esmetrics.adapter.provider.MetricValue;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/** {@code external.metrics.k8s.io/v1beta1} ExternalMetricValueList. {@code items} is never null. */
// Written by Jackson through reflection, which a native image must be told about.
@RegisterForReflection
@JsonPropertyOrder({ "kind", "apiVersion", "metadata", "items" })
public record ExternalMetricValueList(String kind, String apiVersion, Map<String, String> metadata,
        List<ExternalMetricValue> items) {

    static ExternalMetricValueList of(List<ExternalMetricValue> items) {
        return new ExternalMetricValueList("ExternalMetricValueList", ExternalMetricsApi.GROUP_VERSION, Map.of(),
                List.copyOf(items));
    }

    /**
     * The list a metric request answers with these values.
     *
     * @throws RuntimeException a value no Quantity can carry, answered as {@link StatusExceptionMappers#statusOf} says
     */
    public static ExternalMetricValueList from(List<MetricValue> values) {
        return of(values.stream().map(ExternalMetricValueList::item).toList());
    }

    private static ExternalMetricValue item(MetricValue value) {
        String quantity;
        try {
            quantity = CanonicalQuantity.format(value.value());
        } catch (QuantityOutOfRangeException e) {
            throw e.of(value.metricName());
        }
        return new ExternalMetricValue(
                value.metricName(),
                value.labels(),
                value.timestamp().truncatedTo(ChronoUnit.SECONDS).toString(),
                value.window().map(window -> Math.max(1, window.toSeconds())).orElse(null),
                quantity);
    }
}
