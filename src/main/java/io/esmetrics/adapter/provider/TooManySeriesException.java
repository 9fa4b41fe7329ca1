package io.esmetrics.adapter.provider;

/**
 * A metric has more series for a selector than one answer may hold. Not a fault of the backend: a narrower selector
 * may still be answered, so the cache asks with the caller's own selector instead of holding every series.
 */
public final class TooManySeriesException extends BackendUnavailableException {

    public TooManySeriesException(String message) {
        super(message);
    }
}
