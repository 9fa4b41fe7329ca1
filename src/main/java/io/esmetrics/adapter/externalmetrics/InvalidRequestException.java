package io.esmetrics.adapter.externalmetrics;

/** A request the API cannot serve as written (answered 400 BadRequest). */
public final class InvalidRequestException extends RuntimeException {

    public InvalidRequestException(String message) {
        super(message);
    }
}
