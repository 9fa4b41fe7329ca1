package io.esmetrics.adapter.externalmetrics;

/** Names of the API this adapter serves. */
final class ExternalMetricsApi {

    static final String GROUP = "external.metrics.k8s.io";
    static final String VERSION = "v1beta1";
    static final String GROUP_VERSION = GROUP + "/" + VERSION;
    static final String PATH = "/apis/" + GROUP_VERSION;

    private ExternalMetricsApi() {
    }
}
