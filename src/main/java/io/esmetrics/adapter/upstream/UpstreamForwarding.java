package io.esmetrics.adapter.upstream;

import io.esmetrics.adapter.externalmetrics.ForwardedMetricNames;
import io.esmetrics.adapter.observability.MetricRequestMeters;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.CompletionException;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Sends a metric request this adapter does not serve to the upstream provider, and its answer back as it is.
 *
 * <p>A filter that runs after the access filter (a higher priority number runs later): the caller has been
 * authenticated and authorized here, for this metric in this namespace, before anything is forwarded, so
 * forwarding grants nothing the caller may not do. Only the path and the query travel; the provider sees the
 * credential configured for it (a token of a service account that may only read external metrics, or a client
 * certificate: docs/coexistence.md) and no header of the caller's.
 */
public class UpstreamForwarding {

    private final ForwardedMetrics forwarded;
    private final ForwardedMetricNames listed;

    UpstreamForwarding(ForwardedMetrics forwarded, ForwardedMetricNames listed) {
        this.forwarded = forwarded;
        this.listed = listed;
    }

    /** Null (carry on here) for every request this adapter answers itself; costs a map look-up on that path. */
    @ServerRequestFilter(priority = Priorities.USER + 100)
    Uni<Response> forward(ContainerRequestContext context) {
        if (!HttpMethod.GET.equals(context.getMethod())) {
            return null;
        }
        MultivaluedMap<String, String> path = context.getUriInfo().getPathParameters();
        String namespace = path.getFirst("namespace");
        String metric = path.getFirst("metric");
        if (namespace == null || metric == null || !forwarded.forwards(namespace, metric)) {
            return null;
        }
        // Counted under its name only if the provider lists it (a bounded list): any caller can make up names.
        context.setProperty(MetricRequestMeters.METRIC_TAG,
                listed.names().contains(metric) ? metric : MetricRequestMeters.UNKNOWN);
        String query = context.getUriInfo().getRequestUri().getRawQuery();
        return Uni.createFrom().completionStage(() -> forwarded.values(namespace, metric, query))
                .onFailure(CompletionException.class).transform(Throwable::getCause)
                .map(UpstreamAnswer::asItIs);
    }
}
