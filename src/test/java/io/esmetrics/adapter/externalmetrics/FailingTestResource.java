package io.esmetrics.adapter.externalmetrics;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/**
 * Exists in tests only: a request that meets a bug, to see what the caller gets (a Status saying only that it
 * happened; the stack trace goes to the log).
 */
@Path("/test-only/bug")
public class FailingTestResource {

    @GET
    public String bug() {
        throw new IllegalStateException("a bug with internal details: /etc/secret");
    }
}
