package io.esmetrics.adapter.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/** What the adapter last observed of an {@link ElasticsearchMetric}; written by the StatusReconciler. */
// Read and written by Jackson through reflection, which a native image must be told about.
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ElasticsearchMetricStatus(
        @JsonPropertyDescription("Last computed total over all series (no label selector), as a canonical Quantity.")
        String value,

        @JsonPropertyDescription("When value was computed (RFC 3339).")
        String lastUpdated,

        @JsonPropertyDescription("The metadata.generation this status describes.")
        Long observedGeneration,

        @JsonPropertyDescription("Ready, Invalid (with the reason), BackendError (with Elasticsearch's message), Stalled "
                + "(PipelineStalled, NoIndex or NoEvents: no current data, never read as zero).")
        List<Condition> conditions) {
}
