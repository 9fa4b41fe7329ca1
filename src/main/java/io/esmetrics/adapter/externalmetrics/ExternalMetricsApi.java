package io.esmetrics.adapter.externalmetrics;

import java.util.regex.Pattern;

/** Names of the API this adapter serves, and the shape of its path parameters. */
public final class ExternalMetricsApi {

    public static final String GROUP = "external.metrics.k8s.io";
    public static final String VERSION = "v1beta1";
    public static final String GROUP_VERSION = GROUP + "/" + VERSION;
    public static final String PATH = "/apis/" + GROUP_VERSION;

    private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    private ExternalMetricsApi() {
    }

    /** @throws InvalidRequestException unless {@code namespace} is a DNS label, as every Kubernetes namespace is */
    public static void requireValidNamespace(String namespace) {
        if (!NAMESPACE.matcher(namespace).matches()) {
            throw new InvalidRequestException("invalid namespace \"" + namespace + "\": a namespace is a DNS label "
                    + "(at most 63 lower case alphanumeric characters or '-', starting and ending alphanumeric)");
        }
    }
}
