package io.esmetrics.adapter.provider;

import java.util.Collection;

/** The selector names a label the metric does not map to a field: it could never match anything meaningful. */
public final class LabelNotAllowedException extends RuntimeException {

    public LabelNotAllowedException(String metricName, String label, Collection<String> declared) {
        super("label \"" + label + "\" is not declared for metric " + metricName + "; declared labels: "
                + (declared.isEmpty() ? "none" : String.join(", ", declared)));
    }
}
