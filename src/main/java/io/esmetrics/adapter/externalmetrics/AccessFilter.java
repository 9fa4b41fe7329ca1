package io.esmetrics.adapter.externalmetrics;

import io.esmetrics.adapter.authentication.AuthenticationConfig;
import io.esmetrics.adapter.authentication.RequestAuthenticator;
import io.esmetrics.adapter.authorization.ForbiddenException;
import io.esmetrics.adapter.authorization.ResourceAttributes;
import io.esmetrics.adapter.authorization.SubjectAccessReviewAuthorizer;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MultivaluedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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

    /**
     * Runs on the event loop. Decisions already known (certificates, remembered TokenReviews and
     * SubjectAccessReviews) complete at once; a call to the Kubernetes API runs on a worker thread and the
     * request resumes when it answers.
     */
    @ServerRequestFilter
    Uni<Void> authenticateAndAuthorize(ContainerRequestContext context, HttpServerRequest request) {
        if (!config.enabled()) {
            return null;
        }
        MultivaluedMap<String, String> path = context.getUriInfo().getPathParameters();
        String metric = path.getFirst("metric");
        String namespace = path.getFirst("namespace");
        CompletableFuture<Void> decision = authenticator.authenticate(request).thenCompose(caller -> metric == null
                ? CompletableFuture.completedFuture(null)
                : authorizer.authorize(caller.user(), new ResourceAttributes("list", ExternalMetricsApi.GROUP,
                        ExternalMetricsApi.VERSION, metric, namespace)).whenComplete((allowed, refused) -> {
                            if (refused instanceof ForbiddenException || refused != null && refused.getCause() instanceof ForbiddenException) {
                                authenticator.forbidden(caller);
                            }
                        }));
        // Exceptions thrown inside the stages arrive wrapped; the mappers know the causes.
        return Uni.createFrom().completionStage(decision)
                .onFailure(CompletionException.class).transform(Throwable::getCause);
    }
}
