package io.esmetrics.adapter.explain;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.esmetrics.adapter.externalmetrics.ExternalMetricsApi;
import io.esmetrics.adapter.externalmetrics.InvalidRequestException;
import io.esmetrics.adapter.observability.MetricRequestMeters;
import io.esmetrics.adapter.selector.LabelSelector;
import io.esmetrics.adapter.upstream.ForwardedMetrics;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * {@code GET .../namespaces/NS/METRIC?labelSelector=...&explain=true} answers a {@link MetricExplanation} instead of
 * the values. A filter rather than a second resource method, since JAX-RS matches paths, not queries. It runs after
 * the access filter (a team explains only what it may read, with the same SubjectAccessReview as the values) and
 * before the forwarding to the upstream provider, whose answer it explains for a metric served there. A bad
 * parameter, an unknown metric or an undeclared label get the Status the metric request gets.
 */
public class ExplainFilter {

    static final String PARAMETER = "explain";

    private final MetricExplainer explainer;
    private final ExplainThreads threads;
    private final ForwardedMetrics forwarded;
    private final ObjectMapper mapper;

    ExplainFilter(MetricExplainer explainer, ExplainThreads threads, ForwardedMetrics forwarded, ObjectMapper mapper) {
        this.explainer = explainer;
        this.threads = threads;
        this.forwarded = forwarded;
        this.mapper = mapper;
    }

    /** Null (carry on) for every metric request without {@code explain}: a look at the raw query on that path. */
    @ServerRequestFilter(priority = Priorities.USER + 50)
    Uni<Response> explain(ContainerRequestContext context, HttpServerRequest request) {
        String query = request.query();
        if (query == null || !query.contains(PARAMETER) || !HttpMethod.GET.equals(context.getMethod())) {
            return null;
        }
        MultivaluedMap<String, String> path = context.getUriInfo().getPathParameters();
        String namespace = path.getFirst("namespace");
        String metric = path.getFirst("metric");
        String explain = request.getParam(PARAMETER);
        if (namespace == null || metric == null || explain == null || "false".equals(explain)) {
            return null;
        }
        context.setProperty(MetricRequestMeters.NOT_A_METRIC_REQUEST, Boolean.TRUE);
        LabelSelector selector;
        Optional<HpaTarget> target;
        try {
            if (!"true".equals(explain)) {
                throw new InvalidRequestException("invalid explain \"" + explain + "\": true or false");
            }
            ExternalMetricsApi.requireValidNamespace(namespace);
            selector = LabelSelector.parse(request.getParam("labelSelector"));
            target = HpaTarget.from(request.getParam("target"), request.getParam("targetType"), request.getParam("replicas"));
        } catch (RuntimeException e) {
            return Uni.createFrom().failure(e);
        }
        if (forwarded.forwards(namespace, metric)) {
            return forwarded(namespace, metric, selector, target, query);
        }
        // Blocking: it may look up fields and the newest event, and search when memory holds no usable answer.
        return Uni.createFrom().completionStage(() -> threads.submit(() -> explainer.explain(namespace, metric, selector, target)))
                .onFailure(CompletionException.class).transform(Throwable::getCause)
                .map(ExplainFilter::ok);
    }

    /** The provider's answer to the metric request: explained when it has values, passed on as it is when not. */
    private Uni<Response> forwarded(String namespace, String metric, LabelSelector selector, Optional<HpaTarget> target,
            String query) {
        String metricQuery = ForwardedExplanation.metricQuery(query);
        String path = ForwardedMetrics.path(namespace, metric, metricQuery);
        return Uni.createFrom().completionStage(() -> forwarded.values(namespace, metric, metricQuery))
                .onFailure(CompletionException.class).transform(Throwable::getCause)
                .map(answer -> {
                    if (!answer.succeeded()) {
                        return answer.asItIs();
                    }
                    return ok(ForwardedExplanation.of(namespace, metric, selector, target, forwarded.upstream(), path,
                            answer.body(), mapper));
                });
    }

    private static Response ok(MetricExplanation explanation) {
        return Response.ok(explanation, MediaType.APPLICATION_JSON_TYPE).build();
    }
}
