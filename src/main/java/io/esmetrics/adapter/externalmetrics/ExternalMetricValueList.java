package io.esmetrics.adapter.externalmetrics;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;

/** {@code external.metrics.k8s.io/v1beta1} ExternalMetricValueList. {@code items} is never null. */
// Written by Jackson through reflection, which a native image must be told about.
@RegisterForReflection
@JsonPropertyOrder({ "kind", "apiVersion", "metadata", "items" })
record ExternalMetricValueList(String kind, String apiVersion, Map<String, String> metadata, List<ExternalMetricValue> items) {

    static ExternalMetricValueList of(List<ExternalMetricValue> items) {
        return new ExternalMetricValueList("ExternalMetricValueList", ExternalMetricsApi.GROUP_VERSION, Map.of(),
                List.copyOf(items));
    }
}
