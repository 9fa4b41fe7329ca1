package io.esmetrics.adapter.externalmetrics;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Map;

/**
 * {@code external.metrics.k8s.io/v1beta1} ExternalMetricValue.
 *
 * @param window seconds the value was averaged over; only for rates
 * @param value  a Quantity in canonical form
 */
// Written by Jackson through reflection, which a native image must be told about.
@RegisterForReflection
@JsonPropertyOrder({ "metricName", "metricLabels", "timestamp", "window", "value" })
public record ExternalMetricValue(
        String metricName,
        Map<String, String> metricLabels,
        String timestamp,
        @JsonInclude(JsonInclude.Include.NON_NULL) Long window,
        String value) {
}
