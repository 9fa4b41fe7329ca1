package io.esmetrics.adapter.observability;

import io.esmetrics.adapter.provider.ExternalMetricsProvider;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import java.util.concurrent.TimeUnit;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Times every metric value request by metric name and status code. Names nobody declared are counted as
 * {@code unknown}, so a caller cannot grow the tag set; the selector is never a tag.
 *
 * <p>The timer publishes histogram buckets, so that a dashboard shows the slow tail (a cache miss that waits for a
 * search, a request forwarded to the upstream provider) that an average hides, and sums it across replicas. Ten fixed
 * buckets rather than Micrometer's percentile histogram (several dozen): with the tags bounded as they are, that is
 * eleven more series per metric and status code.
 */
public class MetricRequestMeters {

    /**
     * Set on a request to a metric's path that is not the HPA asking for values ({@code explain=true}): its time and
     * code would distort the metric's meters.
     */
    public static final String NOT_A_METRIC_REQUEST = MetricRequestMeters.class.getName() + ".notAMetricRequest";
    /**
     * Set by a filter that answers a metric request itself (forwarding to the upstream provider) to the tag the request
     * is counted under: a name from a bounded list, or {@value #UNKNOWN}. The caller chooses the name, and the
     * provider's 200 proves nothing about how many such names there are.
     */
    public static final String METRIC_TAG = MetricRequestMeters.class.getName() + ".metricTag";
    private static final String STARTED = MetricRequestMeters.class.getName() + ".started";
    public static final String UNKNOWN = "unknown";
    static final String NAME = "esmetrics.requests";

    private final MeterRegistry registry;
    private final ExternalMetricsProvider provider;

    MetricRequestMeters(MeterRegistry registry, ExternalMetricsProvider provider) {
        this.registry = registry;
        this.provider = provider;
    }

    @ServerRequestFilter
    void started(ContainerRequestContext request) {
        request.setProperty(STARTED, System.nanoTime());
    }

    @ServerResponseFilter
    void finished(ContainerRequestContext request, ContainerResponseContext response) {
        Object started = request.getProperty(STARTED);
        String metric = request.getUriInfo().getPathParameters().getFirst("metric");
        if (!(started instanceof Long start) || metric == null || request.getProperty(NOT_A_METRIC_REQUEST) != null) {
            return;
        }
        String tag;
        if (request.getProperty(METRIC_TAG) instanceof String assigned) {
            tag = assigned;
        } else {
            // A 200 of this adapter's own proves the name is declared; only other answers pay for the lookup.
            boolean declared = response.getStatus() == 200 || provider.metricNames().contains(metric);
            tag = declared ? metric : UNKNOWN;
        }
        registry.timer(NAME, "metric", tag, "code", String.valueOf(response.getStatus()))
                .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
}
