package io.esmetrics.adapter.externalmetrics;

import io.esmetrics.adapter.authentication.AuthenticationUnavailableException;
import io.esmetrics.adapter.authentication.TooManyFailedRequestsException;
import io.esmetrics.adapter.authentication.UnauthorizedException;
import io.esmetrics.adapter.authorization.AuthorizationUnavailableException;
import io.esmetrics.adapter.authorization.ForbiddenException;
import io.esmetrics.adapter.observability.RepeatedWarnings;
import io.esmetrics.adapter.provider.BackendUnavailableException;
import io.esmetrics.adapter.provider.LabelNotAllowedException;
import io.esmetrics.adapter.provider.MetricNotFoundException;
import io.esmetrics.adapter.provider.TooManySearchesException;
import io.esmetrics.adapter.selector.InvalidLabelSelectorException;
import io.fabric8.kubernetes.api.model.ListMeta;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.StatusDetailsBuilder;
import io.quarkus.logging.Log;
import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error leaves as a Kubernetes {@code Status}, so {@code kubectl} and the HPA can show why. */
public class StatusExceptionMappers {

    /** The same value fails every request for its series until the data changes. */
    private final RepeatedWarnings unrepresentableValues = new RepeatedWarnings(StatusExceptionMappers.class);

    @ServerExceptionMapper
    Response badSelector(InvalidLabelSelectorException e) {
        return response(statusOf(e));
    }

    @ServerExceptionMapper
    Response undeclaredLabel(LabelNotAllowedException e) {
        return response(statusOf(e));
    }

    @ServerExceptionMapper
    Response invalidRequest(InvalidRequestException e) {
        return response(statusOf(e));
    }

    @ServerExceptionMapper
    Response unauthorized(UnauthorizedException e) {
        return status(401, "Unauthorized", "Unauthorized");
    }

    /** Kubernetes answers 401 when its token authenticator cannot be reached: the caller is not authenticated. */
    @ServerExceptionMapper
    Response authenticationUnavailable(AuthenticationUnavailableException e) {
        return status(401, "Unauthorized", e.getMessage());
    }

    @ServerExceptionMapper
    Response forbidden(ForbiddenException e) {
        return status(403, "Forbidden", e.getMessage());
    }

    /** Fail closed: no answer from the cluster is never a yes. */
    @ServerExceptionMapper
    Response authorizationUnavailable(AuthorizationUnavailableException e) {
        return status(503, "ServiceUnavailable", e.getMessage());
    }

    @ServerExceptionMapper
    Response unknownMetric(MetricNotFoundException e) {
        return response(statusOf(e));
    }

    /** Logged where it happened; the caller gets the reason, never a stack trace. */
    @ServerExceptionMapper
    Response backendUnavailable(BackendUnavailableException e) {
        return response(statusOf(e));
    }

    /**
     * The namespace is over its share of searches: 429 with {@code Retry-After} (and {@code retryAfterSeconds},
     * as the API server's own 429s carry), which clients back off on. Never a 5xx: nothing is broken.
     */
    @ServerExceptionMapper
    Response tooManySearches(TooManySearchesException e) {
        return response(statusOf(e));
    }

    /** A client address refused (401, 403) too often: 429 with {@code Retry-After}, no review asked. */
    @ServerExceptionMapper
    Response tooManyFailedRequests(TooManyFailedRequestsException e) {
        return response(tooManyRequests(e.getMessage(), e.retryAfter()));
    }

    /** The backend's data holds a value no Quantity can carry: as untrustworthy as any failed search. */
    @ServerExceptionMapper
    Response unrepresentable(QuantityOutOfRangeException e) {
        unrepresentableValues.warn(e.getMessage());
        return response(statusOf(e));
    }

    @ServerExceptionMapper
    Response notFound(NotFoundException e) {
        return notFound();
    }

    @ServerExceptionMapper
    Response methodNotAllowed(NotAllowedException e) {
        return status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
    }

    @ServerExceptionMapper
    Response notAcceptable(NotAcceptableException e) {
        return status(406, "NotAcceptable", "only application/json is served");
    }

    @ServerExceptionMapper
    Response otherHttpError(WebApplicationException e) {
        int code = e.getResponse().getStatus();
        Response.StatusType type = Response.Status.fromStatusCode(code);
        String reason = type == null ? "Unknown" : type.getReasonPhrase().replace(" ", "");
        return status(code, reason, type == null ? "request failed" : type.getReasonPhrase().toLowerCase());
    }

    /** A bug: log it fully, tell the caller only that it happened. */
    @ServerExceptionMapper
    Response unexpected(Exception e) {
        Log.error("Unexpected error while serving a request", e);
        return status(500, "InternalError", "an error on the server prevented the request from succeeding");
    }

    static Response notFound() {
        return status(404, "NotFound", "the server could not find the requested resource");
    }

    static Response status(int code, String reason, String message) {
        return response(statusBody(code, reason, message));
    }

    /**
     * The Status a metric request answers when it fails with {@code failure}: here for the mappers, public for
     * {@code explain=true}, which shows the answer a metric request would get.
     */
    public static Status statusOf(RuntimeException failure) {
        String message = failure.getMessage();
        if (failure instanceof InvalidLabelSelectorException || failure instanceof LabelNotAllowedException
                || failure instanceof InvalidRequestException) {
            return statusBody(400, "BadRequest", message);
        }
        if (failure instanceof MetricNotFoundException) {
            return statusBody(404, "NotFound", message);
        }
        if (failure instanceof TooManySearchesException tooMany) {
            return tooManyRequests(message, tooMany.retryAfter());
        }
        if (failure instanceof BackendUnavailableException || failure instanceof QuantityOutOfRangeException) {
            return statusBody(503, "ServiceUnavailable", message);
        }
        return statusBody(500, "InternalError", "an error on the server prevented the request from succeeding");
    }

    private static Status tooManyRequests(String message, Duration retryAfter) {
        long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
        Status status = statusBody(429, "TooManyRequests", message);
        status.setDetails(new StatusDetailsBuilder().withRetryAfterSeconds((int) Math.min(Integer.MAX_VALUE, seconds)).build());
        return status;
    }

    /** A 429 carries {@code Retry-After}, which clients back off on, as well as {@code details.retryAfterSeconds}. */
    private static Response response(Status status) {
        Response.ResponseBuilder response = Response.status(status.getCode()).type(MediaType.APPLICATION_JSON).entity(status);
        if (status.getDetails() != null && status.getDetails().getRetryAfterSeconds() != null) {
            response.header("Retry-After", status.getDetails().getRetryAfterSeconds());
        }
        return response.build();
    }

    private static Status statusBody(int code, String reason, String message) {
        return new StatusBuilder()
                .withApiVersion("v1")
                .withKind("Status")
                .withMetadata(new ListMeta())
                .withStatus("Failure")
                .withMessage(message)
                .withReason(reason)
                .withCode(code)
                .build();
    }
}
