package io.esmetrics.adapter.crd;

import io.esmetrics.adapter.rules.InvalidMetricDefinitionException;
import io.esmetrics.adapter.rules.MetricDefinition;
import io.esmetrics.adapter.rules.MetricRule;
import io.esmetrics.adapter.rules.MetricRuleFactory;
import io.esmetrics.adapter.rules.Scope;

/**
 * Turns a resource into a metric rule with the validation of definitions files, plus tenant isolation: unless
 * the configuration allows otherwise, the rule reads only documents of the resource's own namespace.
 */
final class ElasticsearchMetricConverter {

    private final CustomResourcesConfig config;

    ElasticsearchMetricConverter(CustomResourcesConfig config) {
        this.config = config;
    }

    /** @throws InvalidMetricDefinitionException naming the resource and the field */
    MetricRule toRule(ElasticsearchMetric resource) {
        String source = source(resource);
        String name = resource.getMetadata().getName();
        ElasticsearchMetricSpec spec = resource.getSpec();
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
        String namespaceField = spec.namespaceField() != null ? spec.namespaceField() : config.namespaceField();
        Scope scope = spec.scope() != null ? spec.scope() : Scope.NAMESPACED;
        MetricDefinition definition = new MetricDefinition(spec.indexPattern(), spec.timeField(), scope,
                scope == Scope.NAMESPACED ? namespaceField : spec.namespaceField(), spec.filter(), spec.aggregation(), spec.field(),
                spec.window(), spec.ingestLag(), spec.staleness(), spec.stalledAfter(), spec.labels(), spec.description());
        return MetricRuleFactory.create(source, name, definition);
    }

    static String source(ElasticsearchMetric resource) {
        return "ElasticsearchMetric " + resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
    }
}
