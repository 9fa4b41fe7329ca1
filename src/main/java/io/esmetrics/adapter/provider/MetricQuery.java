package io.esmetrics.adapter.provider;

import io.esmetrics.adapter.selector.LabelSelector;

/** One question to a provider: the value of {@code metricName} for an HPA in {@code namespace}. */
public record MetricQuery(String namespace, String metricName, LabelSelector selector) {
}
