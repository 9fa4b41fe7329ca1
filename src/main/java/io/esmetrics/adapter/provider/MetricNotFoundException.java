package io.esmetrics.adapter.provider;

/** No metric of that name is served to that namespace. */
public final class MetricNotFoundException extends RuntimeException {

    public MetricNotFoundException(String namespace, String metricName) {
        super("the server could not find the metric " + metricName + " for namespace " + namespace);
    }
}
