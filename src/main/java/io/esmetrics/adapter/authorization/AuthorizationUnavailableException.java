package io.esmetrics.adapter.authorization;

/** The SubjectAccessReview API did not answer: the request is refused (fail closed) with 503. */
public final class AuthorizationUnavailableException extends RuntimeException {

    public AuthorizationUnavailableException(String message) {
        super(message);
    }
}
