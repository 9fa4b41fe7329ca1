package io.esmetrics.adapter.upstream;

import io.esmetrics.adapter.externalmetrics.ExternalMetricsApi;
import io.esmetrics.adapter.externalmetrics.InvalidRequestException;
import io.esmetrics.adapter.rules.MetricRules;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * Which metric requests go to the upstream provider, and their forwarding: for the values ({@link UpstreamForwarding})
 * and for {@code explain=true}, which explains a forwarded metric by the provider's own answer.
 */
@ApplicationScoped
public class ForwardedMetrics {

    /**
     * Names other providers use: KEDA's {@code s0-prometheus-requests}, Datadog's {@code datadogmetric@ns:name} and
     * dotted names, prometheus-adapter's recording rules with colons. Nothing that needs escaping in a path.
     */
    private static final Pattern FORWARDABLE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,252}");

    private final UpstreamClient client;
    private final MetricRules rules;
    private final Set<String> alwaysForward;

    ForwardedMetrics(UpstreamClient client, MetricRules rules, UpstreamConfig config) {
        this.client = client;
        this.rules = rules;
        this.alwaysForward = config.alwaysForward().orElse(Set.of());
    }

    /** Whether the upstream provider answers this metric: configured, and a metric this adapter does not serve here. */
    public boolean forwards(String namespace, String metric) {
        return client.enabled() && (alwaysForward.contains(metric) || rules.find(namespace, metric).isEmpty());
    }

    /**
     * The provider's answer to {@code GET .../namespaces/{namespace}/{metric}?{rawQuery}}, to pass on as it is.
     *
     * @throws InvalidRequestException an invalid namespace, or a name no provider could serve
     */
    public CompletableFuture<UpstreamAnswer> values(String namespace, String metric, String rawQuery) {
        ExternalMetricsApi.requireValidNamespace(namespace);
        if (!FORWARDABLE_NAME.matcher(metric).matches()) {
            throw new InvalidRequestException("invalid metric name \"" + metric + "\": no provider serves such a name");
        }
        return client.metricValues(namespace, metric, rawQuery);
    }

    /** The path and query of a metric request, as the provider is sent it and as explain shows it. */
    public static String path(String namespace, String metric, String rawQuery) {
        return ExternalMetricsApi.PATH + "/namespaces/" + namespace + "/" + metric
                + (rawQuery == null || rawQuery.isEmpty() ? "" : "?" + rawQuery);
    }

    /** The provider's address, for messages. */
    public String upstream() {
        return client.describe();
    }
}
