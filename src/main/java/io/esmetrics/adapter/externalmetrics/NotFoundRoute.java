package io.esmetrics.adapter.externalmetrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.Response;

/**
 * Answers paths nothing else serves with a {@code NotFound} Status, as an API server does. kubectl relies on
 * it: it asks {@code /version} and {@code /api} first and copes with a 404, not with an HTML page.
 */
@ApplicationScoped
public class NotFoundRoute {

    void register(@Observes Router router, ObjectMapper mapper) throws JsonProcessingException {
        Response notFound = StatusExceptionMappers.notFound();
        String body = mapper.writeValueAsString(notFound.getEntity());
        router.route().order(Integer.MAX_VALUE).handler(context -> context.response()
                .setStatusCode(404)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(body));
    }
}
