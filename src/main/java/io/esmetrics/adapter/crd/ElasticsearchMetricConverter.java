package io.esmetrics.adapter.crd;

import io.esmetrics.adapter.rules.InvalidMetricDefinitionException;
import io.esmetrics.adapter.rules.MetricDefinition;
import io.esmetrics.adapter.rules.MetricRule;
import io.esmetrics.adapter.rules.MetricRuleFactory;
import io.esmetrics.adapter.rules.Scope;

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
        return rule;
    }

    static String source(ElasticsearchMetric resource) {
        return "ElasticsearchMetric " + resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
    }
}
