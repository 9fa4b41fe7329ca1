package io.esmetrics.adapter.crd;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.esmetrics.adapter.rules.Aggregation;
import io.esmetrics.adapter.rules.Scope;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;

/**
 * The spec of an {@link ElasticsearchMetric}: the fields of a metric definition (rules.MetricDefinition). The
 * schema annotations make {@code kubectl apply} reject what the adapter would refuse anyway; the adapter still
 * validates with the same MetricRuleFactory as for definitions files. An unknown enum value (possible only with an
 * outdated CRD) reads as absent instead of failing the informer's whole list, so it is one Invalid resource.
 */
// Read and written by Jackson through reflection, which a native image must be told about.
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.aggregation in ['rate', 'count'] ? !has(self.field) : has(self.field)",
        message = "field is required by latest, sum, avg, min and max, and not used by rate and count")
public record ElasticsearchMetricSpec(
        @Required
        @Pattern(INDEX_PATTERN)
        @JsonPropertyDescription("Indices to search, e.g. ai-events-*; commas and wildcards allowed.")
        String indexPattern,

        @Pattern(FIELD)
        @JsonPropertyDescription("The event time field. Default @timestamp.")
        String timeField,

        @JsonPropertyDescription("Namespaced (default): only documents of this namespace. Cluster: no namespace filter; "
                + "refused unless the adapter's configuration allows it (adapter.custom-resources.allow-cluster-scope).")
        @JsonFormat(with = JsonFormat.Feature.READ_UNKNOWN_ENUM_VALUES_AS_NULL)
        Scope scope,

        @Pattern(FIELD)
        @JsonPropertyDescription("Field holding the namespace. Refused unless the adapter's configuration allows it: "
                + "by default the adapter's configured namespace field is always used.")
        String namespaceField,

        @JsonPropertyDescription("Field -> accepted values; every entry must match (term filters).")
        Map<String, List<String>> filter,

        @Required
        @JsonPropertyDescription("rate, count, latest, sum, avg, min or max.")
        @JsonFormat(with = JsonFormat.Feature.READ_UNKNOWN_ENUM_VALUES_AS_NULL)
        Aggregation aggregation,

        @Pattern(FIELD)
        @JsonPropertyDescription("Numeric field read by latest, sum, avg, min and max.")
        String field,

        @Pattern(DURATION)
        @JsonPropertyDescription("Trailing window of the windowed aggregations (all but latest), e.g. 1m. Default 1m, at most 24h.")
        String window,

        @Pattern(DURATION)
        @JsonPropertyDescription("How far before now the window ends, so events still in flight are not missed. Default 5s.")
        String ingestLag,

        @Pattern(DURATION)
        @JsonPropertyDescription("For latest: samples older than this no longer count. Default 3m.")
        String staleness,

        @Pattern(DURATION)
        @JsonPropertyDescription("When the newest event of the indices (any namespace) is older than this, the pipeline "
                + "counts as stalled: the last good value is served within the staleness budget, then an error, never a "
                + "zero made of silence. Default half of the window plus ingestLag (of staleness for latest), at least "
                + "30s; 0s never.")
        String stalledAfter,

        @JsonPropertyDescription("Selector label -> document field; only these labels may appear in an HPA's selector.")
        Map<String, String> labels,

        @JsonPropertyDescription("Free text.")
        String description) {

    static final String DURATION = "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$";
    static final String FIELD = "^[A-Za-z0-9@_][A-Za-z0-9@_.-]*$";
    static final String INDEX_PATTERN = "^-?([a-z0-9_*][a-z0-9_.*+-]*:)?[a-z0-9_*][a-z0-9_.*+-]*"
            + "(,-?([a-z0-9_*][a-z0-9_.*+-]*:)?[a-z0-9_*][a-z0-9_.*+-]*)*$";
}
