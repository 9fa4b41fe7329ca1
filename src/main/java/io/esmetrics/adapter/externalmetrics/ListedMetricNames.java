package io.esmetrics.adapter.externalmetrics;

import io.esmetrics.adapter.provider.ExternalMetricsProvider;
import jakarta.inject.Singleton;
import java.util.SortedSet;
import java.util.TreeSet;

/** What discovery and the OpenAPI documents list: this adapter's metric names and the upstream provider's. */
@Singleton
class ListedMetricNames {

    private final ExternalMetricsProvider provider;
    private final ForwardedMetricNames forwarded;

    ListedMetricNames(ExternalMetricsProvider provider, ForwardedMetricNames forwarded) {
        this.provider = provider;
        this.forwarded = forwarded;
    }

    SortedSet<String> all() {
        TreeSet<String> names = new TreeSet<>(provider.metricNames());
        names.addAll(forwarded.names());
        return names;
    }
}
