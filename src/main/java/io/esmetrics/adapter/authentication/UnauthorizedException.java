package io.esmetrics.adapter.authentication;

/** No valid credential: answered 401 Unauthorized. */
public final class UnauthorizedException extends RuntimeException {

    public UnauthorizedException() {
        super("Unauthorized");
    }
}
