package io.esmetrics.adapter.crd;

import io.esmetrics.adapter.rules.MetricDefinition;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A metric a team declares in its own namespace. Its name is the metric name; HPAs of that namespace (and of
 * no other) can use it, and it reads only that namespace's documents. Its spec is a metric definition, exactly as
 * a definitions file holds one: one model, one schema. The CRD in {@code k8s/crd/} is generated from this class
 * (see CustomResourceDefinitionTest).
 */
@Group(ElasticsearchMetric.GROUP)
@Version(ElasticsearchMetric.VERSION)
@Plural("elasticsearchmetrics")
@Singular("elasticsearchmetric")
@ShortNames({ "esmetric", "esmetrics" })
@AdditionalPrinterColumn(name = "Aggregation", jsonPath = ".spec.aggregation", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Value", jsonPath = ".status.value", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class ElasticsearchMetric extends CustomResource<MetricDefinition, ElasticsearchMetricStatus>
        implements Namespaced {

    public static final String GROUP = "esmetrics.io";
    public static final String VERSION = "v1alpha1";
}
