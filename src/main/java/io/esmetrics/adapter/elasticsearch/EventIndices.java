package io.esmetrics.adapter.elasticsearch;

import io.esmetrics.adapter.rules.MetricRule;

/**
 * The indices a metric reads and the field holding each event's time: what a stalled pipeline is looked for in.
 * Metrics reading the same indices share one look-up, whatever their filters and namespaces.
 */
record EventIndices(String indexPattern, String timeField) {

    static EventIndices of(MetricRule rule) {
        return new EventIndices(rule.indexPattern(), rule.timeField());
    }

    @Override
    public String toString() {
        return indexPattern + " (" + timeField + ")";
    }
}
