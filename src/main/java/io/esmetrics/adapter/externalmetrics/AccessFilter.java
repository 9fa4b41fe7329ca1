package io.esmetrics.adapter.externalmetrics;

import io.esmetrics.adapter.authentication.AuthenticationConfig;
import io.esmetrics.adapter.authentication.RequestAuthenticator;
import io.esmetrics.adapter.authentication.UserInfo;
import io.esmetrics.adapter.authorization.ResourceAttributes;
import io.esmetrics.adapter.authorization.SubjectAccessReviewAuthorizer;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MultivaluedMap;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Every API request is authenticated; reading a metric is also authorized, as listing the resource named
 * after the metric in the request's namespace (what the HPA controller's ClusterRole grants). Discovery needs
 * an identity only. Probes are not API requests and stay open.
 */
public class AccessFilter {

    private final AuthenticationConfig config;
    private final RequestAuthenticator authenticator;
    private final SubjectAccessReviewAuthorizer authorizer;

    public AccessFilter(AuthenticationConfig config, RequestAuthenticator authenticator, SubjectAccessReviewAuthorizer authorizer) {
        this.config = config;
        this.authenticator = authenticator;
        this.authorizer = authorizer;
    }

    /** Runs on a worker thread (the endpoints are blocking): TokenReview and SubjectAccessReview block. */
    @ServerRequestFilter
    void authenticateAndAuthorize(ContainerRequestContext context, HttpServerRequest request) {
        if (!config.enabled()) {
            return;
        }
        UserInfo user = authenticator.authenticate(request);
        MultivaluedMap<String, String> path = context.getUriInfo().getPathParameters();
        String metric = path.getFirst("metric");
        if (metric != null) {
            authorizer.authorize(user, new ResourceAttributes("list", ExternalMetricsApi.GROUP, ExternalMetricsApi.VERSION,
                    metric, path.getFirst("namespace")));
        }
    }
}
