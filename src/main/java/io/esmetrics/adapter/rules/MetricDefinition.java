package io.esmetrics.adapter.rules;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;

/**
 * A metric as users write it in a metric definitions file (and, later, a custom resource spec). Every field
 * may be absent here; {@link MetricRuleFactory} applies defaults and rejects what cannot work.
 *
 * @param indexPattern  indices to search, e.g. {@code ai-events-*}; commas and wildcards allowed
 * @param timeField     the event time field, default {@code @timestamp}
 * @param scope         {@code Namespaced} (default) or {@code Cluster} for indices without a namespace field
 * @param namespaceField field holding the Kubernetes namespace, default {@code kubernetes.namespace}
 * @param filter        field → accepted values; every entry must match (term filters, never query syntax)
 * @param aggregation   rate, count, latest, sum, avg, min or max
 * @param field         numeric field read by latest, sum, avg, min and max
 * @param window        trailing window of the windowed aggregations, e.g. {@code 1m}
 * @param ingestLag     how far before now the window ends, so events still in flight are not missed
 * @param staleness     for latest: samples older than this no longer count
 * @param stalledAfter  the pipeline counts as stalled when the newest event of the indices is older than this;
 *                      {@code 0s} never
 * @param labels        selector label → document field; only these labels may appear in a label selector
 * @param description   free text shown nowhere but in the definitions themselves
 */
// Read by Jackson through reflection, which a native image must be told about.
@RegisterForReflection
public record MetricDefinition(
        String indexPattern,
        String timeField,
        Scope scope,
        String namespaceField,
        Map<String, List<String>> filter,
        Aggregation aggregation,
        String field,
        String window,
        String ingestLag,
        String staleness,
        String stalledAfter,
        Map<String, String> labels,
        String description) {
}
