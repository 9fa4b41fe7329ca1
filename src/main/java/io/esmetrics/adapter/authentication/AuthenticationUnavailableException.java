package io.esmetrics.adapter.authentication;

/** The cluster could not be asked who the caller is; the request is refused, never let through. */
public final class AuthenticationUnavailableException extends RuntimeException {

    public AuthenticationUnavailableException(String message) {
        super(message);
    }
}
