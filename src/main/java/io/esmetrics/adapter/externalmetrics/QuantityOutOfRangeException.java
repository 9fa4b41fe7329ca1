package io.esmetrics.adapter.externalmetrics;

/** A value the HPA could not read: not finite, or beyond what a Quantity's milli-value holds. */
final class QuantityOutOfRangeException extends RuntimeException {

    QuantityOutOfRangeException(String value) {
        super("the value " + value + " cannot be sent as a Kubernetes quantity (it must be finite and below 9.2e15)");
    }
}
