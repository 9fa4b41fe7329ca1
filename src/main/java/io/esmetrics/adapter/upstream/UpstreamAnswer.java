package io.esmetrics.adapter.upstream;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Optional;

/**
 * What the upstream provider answered, checked to be a Kubernetes answer: an {@code ExternalMetricValueList} with a
 * success code, or a {@code Status} with any code. Passed on to the caller as it is.
 */
public record UpstreamAnswer(int status, byte[] body, Optional<String> retryAfter) {

    public boolean succeeded() {
        return status >= 200 && status < 300;
    }

    /** The answer as the caller gets it: the provider's code, body and {@code Retry-After}. */
    public Response asItIs() {
        Response.ResponseBuilder response = Response.status(status).entity(body).type(MediaType.APPLICATION_JSON_TYPE);
        retryAfter.ifPresent(value -> response.header("Retry-After", value));
        return response.build();
    }
}
