package io.esmetrics.adapter.upstream;

import io.esmetrics.adapter.externalmetrics.ExternalMetricsApi;
import io.esmetrics.adapter.externalmetrics.InvalidRequestException;
import io.esmetrics.adapter.rules.MetricRules;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Sends a metric request this adapter does not serve to the upstream provider, and its answer back as it is.
 *
 * <p>A filter that runs after the access filter (a higher priority number runs later): the caller has been
 * authenticated and authorized here, for this metric in this namespace, before anything is forwarded, so
 * forwarding grants nothing the caller may not do. Only the path and the query travel; the provider sees the
 * adapter's own credential and no header of the caller's.
 */
public class UpstreamForwarding {

    /**
     * Names other providers use: KEDA's {@code s0-prometheus-requests}, Datadog's {@code datadogmetric@ns:name} and
     * dotted names, prometheus-adapter's recording rules with colons. Nothing that needs escaping in a path.
     */
    private static final Pattern FORWARDABLE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,252}");

    private final UpstreamClient client;
    private final MetricRules rules;
    private final Set<String> alwaysForward;

    UpstreamForwarding(UpstreamClient client, MetricRules rules, UpstreamConfig config) {
        this.client = client;
        this.rules = rules;
        this.alwaysForward = config.alwaysForward().orElse(Set.of());
    }

    /** Null (carry on here) for every request this adapter answers itself; costs a map look-up on that path. */
    @ServerRequestFilter(priority = Priorities.USER + 100)
    Uni<Response> forward(ContainerRequestContext context) {
        if (!client.enabled() || !HttpMethod.GET.equals(context.getMethod())) {
            return null;
        }
        MultivaluedMap<String, String> path = context.getUriInfo().getPathParameters();
        String namespace = path.getFirst("namespace");
        String metric = path.getFirst("metric");
        if (namespace == null || metric == null || !forwarded(namespace, metric)) {
            return null;
        }
        try {
            ExternalMetricsApi.requireValidNamespace(namespace);
            if (!FORWARDABLE_NAME.matcher(metric).matches()) {
                throw new InvalidRequestException("invalid metric name \"" + metric + "\": no provider serves such a name");
            }
        } catch (InvalidRequestException e) {
            return Uni.createFrom().failure(e);
        }
        String query = context.getUriInfo().getRequestUri().getRawQuery();
        return Uni.createFrom().completionStage(() -> client.metricValues(namespace, metric, query))
                .onFailure(CompletionException.class).transform(Throwable::getCause)
                .map(UpstreamForwarding::asItIs);
    }

    private boolean forwarded(String namespace, String metric) {
        return alwaysForward.contains(metric) || rules.find(namespace, metric).isEmpty();
    }

    private static Response asItIs(UpstreamAnswer answer) {
        Response.ResponseBuilder response = Response.status(answer.status()).entity(answer.body()).type(MediaType.APPLICATION_JSON_TYPE);
        answer.retryAfter().ifPresent(value -> response.header("Retry-After", value));
        return response.build();
    }
}
