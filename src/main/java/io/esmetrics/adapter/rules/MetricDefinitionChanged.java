package io.esmetrics.adapter.rules;

/**
 * A CDI event: the definition of metric {@code name} as seen from {@code namespace} changed or went away. Values
 * computed under the old definition must not be served any more.
 */
public record MetricDefinitionChanged(String namespace, String name) {
}
