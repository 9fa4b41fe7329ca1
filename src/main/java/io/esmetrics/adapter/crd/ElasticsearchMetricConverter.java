package io.esmetrics.adapter.crd;

import io.esmetrics.adapter.rules.InvalidMetricDefinitionException;
import io.esmetrics.adapter.rules.KubernetesDuration;
import io.esmetrics.adapter.rules.MetricDefinition;
import io.esmetrics.adapter.rules.MetricRule;
import io.esmetrics.adapter.rules.MetricRuleFactory;
import io.esmetrics.adapter.rules.Scope;
import java.time.Duration;

/**
 * Turns a resource into a metric rule with the validation of definitions files, plus tenant isolation: unless
 * the configuration allows otherwise, the rule reads only documents of the resource's own namespace, and only the
 * indices the cluster operator allows.
 */
final class ElasticsearchMetricConverter {

    private final CustomResourcesConfig config;
    private final IndexPatternAllowList allowedIndices;

    ElasticsearchMetricConverter(CustomResourcesConfig config) {
        this.config = config;
        this.allowedIndices = new IndexPatternAllowList(config.allowedIndexPatterns());
    }

    /** @throws InvalidMetricDefinitionException naming the resource and the field */
    MetricRule toRule(ElasticsearchMetric resource) {
        String source = source(resource);
        String name = resource.getMetadata().getName();
        MetricDefinition spec = resource.getSpec();
        if (spec == null) {
            throw new InvalidMetricDefinitionException(source, name, "spec", "is required");
        }
        if (!config.allowClusterScope()) {
            if (spec.scope() != null && spec.scope() != Scope.NAMESPACED) {
                throw new InvalidMetricDefinitionException(source, name, "scope",
                        "Cluster is not allowed: this adapter only lets a resource read documents of its own namespace");
            }
            if (spec.namespaceField() != null && !spec.namespaceField().equals(config.namespaceField())) {
                throw new InvalidMetricDefinitionException(source, name, "namespaceField",
                        "is not allowed: this adapter always uses " + config.namespaceField());
            }
        }
        // A namespaced resource that names no field reads the adapter's, not the definitions files' default.
        boolean namespaced = spec.scope() == null || spec.scope() == Scope.NAMESPACED;
        MetricDefinition definition = namespaced && spec.namespaceField() == null
                ? spec.withNamespaceField(config.namespaceField())
                : spec;
        MetricRule rule = MetricRuleFactory.create(source, name, definition);
        // After the checks of every definition: a pattern that is no pattern, or * and _all, is told as such.
        allowedIndices.refusal(rule.indexPattern()).ifPresent(reason -> {
            throw new InvalidMetricDefinitionException(source, name, "indexPattern", reason);
        });
        if (rule.labels().size() > config.maxLabels()) {
            throw new InvalidMetricDefinitionException(source, name, "labels", "declares " + rule.labels().size()
                    + " labels, more than the " + config.maxLabels() + " this cluster allows (adapter.custom-resources.max-labels)");
        }
        atMost(source, name, "window", rule.window(), config.maxWindow(), "max-window");
        atMost(source, name, "staleness", rule.staleness(), config.maxStaleness(), "max-staleness");
        atMost(source, name, "ingestLag", rule.ingestLag(), config.maxIngestLag(), "max-ingest-lag");
        return rule;
    }

    private static void atMost(String source, String name, String field, Duration value, Duration most, String property) {
        if (value.compareTo(most) > 0) {
            throw new InvalidMetricDefinitionException(source, name, field, KubernetesDuration.format(value) + " is longer than the "
                    + KubernetesDuration.format(most) + " this cluster allows (adapter.custom-resources." + property + ")");
        }
    }

    static String source(ElasticsearchMetric resource) {
        return "ElasticsearchMetric " + resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
    }
}
