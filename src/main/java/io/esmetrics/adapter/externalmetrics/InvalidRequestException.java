package io.esmetrics.adapter.externalmetrics;

/** A request the API cannot serve as written (answered 400 BadRequest). */
final class InvalidRequestException extends RuntimeException {

    InvalidRequestException(String message) {
        super(message);
    }
}
