package io.esmetrics.adapter.externalmetrics;

/**
 * A value the HPA could not read: not finite, or beyond what a Quantity's milli-value holds. It comes from the
 * backend's data, not from the request: the answer is a 503 that says so, as for any backend answer that cannot be
 * trusted, never a 500 (which would mean a bug) and never a clipped number.
 */
final class QuantityOutOfRangeException extends RuntimeException {

    QuantityOutOfRangeException(String value) {
        super("the value " + value + " cannot be sent as a Kubernetes quantity (it must be finite and below 9.2e15)");
    }

    private QuantityOutOfRangeException(String message, QuantityOutOfRangeException cause) {
        super(message, cause);
    }

    /** The same, naming the metric whose value it is. */
    QuantityOutOfRangeException of(String metricName) {
        return new QuantityOutOfRangeException("metric " + metricName + " cannot be served: " + getMessage(), this);
    }
}
