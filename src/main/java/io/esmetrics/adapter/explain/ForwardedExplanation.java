package io.esmetrics.adapter.explain;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.esmetrics.adapter.externalmetrics.ExternalMetricValue;
import io.esmetrics.adapter.externalmetrics.ExternalMetricValueList;
import io.esmetrics.adapter.selector.LabelSelector;
import io.fabric8.kubernetes.api.model.Quantity;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Explains a metric this adapter forwards to the upstream provider: all it knows is that it forwards it and what the
 * provider answered, which is what the HPA gets. The provider is asked the metric request itself, without the
 * parameters of {@code explain}, which it would not know.
 */
final class ForwardedExplanation {

    /** The query parameters of {@code explain=true}: the provider is sent the rest. */
    private static final Set<String> EXPLAIN_PARAMETERS = Set.of(ExplainFilter.PARAMETER, "target", "targetType", "replicas");

    private ForwardedExplanation() {
    }

    /** {@code rawQuery} without the parameters of {@code explain}; null when nothing is left. */
    static String metricQuery(String rawQuery) {
        if (rawQuery == null) {
            return null;
        }
        String kept = Arrays.stream(rawQuery.split("&"))
                .filter(parameter -> !parameter.isEmpty())
                .filter(parameter -> !EXPLAIN_PARAMETERS.contains(parameter.contains("=")
                        ? parameter.substring(0, parameter.indexOf('=')) : parameter))
                .collect(Collectors.joining("&"));
        return kept.isEmpty() ? null : kept;
    }

    /** The explanation of a successful answer of the provider at {@code upstream}, which sent {@code body}. */
    static MetricExplanation of(String namespace, String metric, LabelSelector selector, Optional<HpaTarget> target,
            String upstream, String path, byte[] body, ObjectMapper mapper) throws IOException {
        List<ExternalMetricValue> items = mapper.readValue(body, ExternalMetricValueList.class).items();
        MetricExplanation.Answer answer = new MetricExplanation.Answer(200, "upstream", items, null, null, null, null, null,
                null, null, null);
        MetricExplanation.Backend backend = new MetricExplanation.Backend("upstream provider", "This adapter does not"
                + " serve metric " + metric + " in namespace " + namespace + ": it forwards the request to the upstream"
                + " provider at " + upstream + " (adapter.upstream.url) and passes its answer on as it is. Explain the"
                + " value with that provider's own tools.", new MetricExplanation.Request("GET", path, null, "GET " + path),
                null, null, null);
        return new MetricExplanation(MetricExplanation.KIND, namespace, metric, selector.toString(), answer,
                target.map(wanted -> HpaProjection.of(wanted, values(items))).orElse(null), null, backend);
    }

    private static List<BigDecimal> values(List<ExternalMetricValue> items) {
        return items.stream().map(item -> Quantity.parse(item.value()).getNumericalAmount()).toList();
    }
}
