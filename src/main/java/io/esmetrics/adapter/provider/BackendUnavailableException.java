package io.esmetrics.adapter.provider;

/**
 * The backend gave no answer that may be trusted (unreachable, timed out, rejected the query, or answered
 * from only part of the data). Serving a number anyway would make HPAs scale on a made-up value.
 */
public class BackendUnavailableException extends RuntimeException {

    public BackendUnavailableException(String message) {
        super(message);
    }

    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The same failure, of the same kind, with {@code detail} appended to its message. */
    public BackendUnavailableException withDetail(String detail) {
        return new BackendUnavailableException(getMessage() + detail, this);
    }
}
