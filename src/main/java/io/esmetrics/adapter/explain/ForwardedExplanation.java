package io.esmetrics.adapter.explain;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.esmetrics.adapter.externalmetrics.ExternalMetricValue;
import io.esmetrics.adapter.externalmetrics.ExternalMetricValueList;
import io.esmetrics.adapter.externalmetrics.MilliValue;
import io.esmetrics.adapter.provider.BackendUnavailableException;
import io.esmetrics.adapter.selector.LabelSelector;
import java.io.IOException;
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

    /**
     * The explanation of a successful answer of the provider at {@code upstream}, which sent {@code body}.
     *
     * @throws BackendUnavailableException an answer explain cannot read, or with a value no HPA can read: the
     *                                     provider's fault, answered 503 as any answer of it that cannot be trusted
     */
    static MetricExplanation of(String namespace, String metric, LabelSelector selector, Optional<HpaTarget> target,
            String upstream, String path, byte[] body, ObjectMapper mapper) {
        List<ExternalMetricValue> items;
        try {
            items = mapper.readValue(body, ExternalMetricValueList.class).items();
        } catch (IOException e) {
            items = null;
        }
        if (items == null) {
            throw new BackendUnavailableException("The upstream provider answered metric " + metric
                    + " with an ExternalMetricValueList that cannot be read");
        }
        MetricExplanation.Answer answer = new MetricExplanation.Answer(200, "upstream", items, null, null, null, null, null,
                null, null, null, null);
        MetricExplanation.Backend backend = new MetricExplanation.Backend("upstream provider", "This adapter does not"
                + " serve metric " + metric + " in namespace " + namespace + ": it forwards the request to the upstream"
                + " provider at " + upstream + " (adapter.upstream.url) and passes its answer on as it is. Explain the"
                + " value with that provider's own tools.", new MetricExplanation.Request("GET", path, null, "GET " + path),
                null, null, null);
        HpaProjection hpa = target.isEmpty() ? null : HpaProjection.ofMilliValues(target.get(), milliValues(metric, items));
        return new MetricExplanation(MetricExplanation.KIND, namespace, metric, selector.toString(), answer, hpa, null,
                backend);
    }

    /** What the HPA reads of each value, read without trusting it: a provider can send {@code 1e40000000}. */
    private static List<Long> milliValues(String metric, List<ExternalMetricValue> items) {
        return items.stream().map(item -> {
            try {
                return MilliValue.parse(item.value());
            } catch (NumberFormatException | ArithmeticException e) {
                throw new BackendUnavailableException("The upstream provider answered metric " + metric + " with the value \""
                        + shown(item.value()) + "\", which no HPA can read: "
                        + (e instanceof ArithmeticException ? "its milli-value is beyond an int64 (about 9.2e15)"
                                : "it is not a Kubernetes quantity"));
            }
        }).toList();
    }

    /** A provider's value may be megabytes long. */
    private static String shown(String value) {
        return value == null || value.length() <= 64 ? String.valueOf(value) : value.substring(0, 60) + "…";
    }
}
