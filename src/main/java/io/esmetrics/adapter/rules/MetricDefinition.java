package io.esmetrics.adapter.rules;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;

/**
 * A metric as users write it: an entry of a metric definitions file, and the spec of an ElasticsearchMetric. This
 * record is the one place a field is declared:
 * <ul>
 * <li>its annotations are the CRD's OpenAPI schema ({@code k8s/crd/}, generated: CustomResourceDefinitionTest);</li>
 * <li>its descriptions are what {@code kubectl explain} shows and the field table of {@code docs/metrics.md}
 * (generated: MetricDefinitionReferenceTest);</li>
 * <li>its patterns and defaults are the ones {@link MetricRuleFactory} checks and applies.</li>
 * </ul>
 * Adding a field: a component here, with its schema annotations and a description that states its default (built
 * from a {@code DEFAULT_*} constant); its check in {@link MetricRuleFactory} and its place in {@link MetricRule};
 * then regenerate the CRD and the table ({@code -Dgolden.update=true}) and add its good and bad values to
 * SchemaAgreesWithParserTest. Every field may be absent here: the factory applies the defaults and refuses, naming
 * the field, what cannot work.
 */
// Read and written by Jackson through reflection, which a native image must be told about.
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.aggregation in ['rate', 'count', 'ratio'] ? !has(self.field) : has(self.field)",
        message = "field is required by latest, sum, avg, min, max and percentile, and not used by rate, count and ratio")
@ValidationRule(value = "self.aggregation == 'percentile' ? has(self.percent) : !has(self.percent)",
        message = "percent is required by percentile, and not used by the other aggregations")
@ValidationRule(value = "self.aggregation == 'ratio' ? has(self.numerator) && size(self.numerator) > 0 : !has(self.numerator)",
        message = "numerator is required by ratio (at least one field), and not used by the other aggregations")
@ValidationRule(value = "!has(self.indexPattern) || !self.indexPattern.matches('" + MetricDefinition.EVERY_INDEX + "')",
        message = "indexPattern may not be * or _all, which read every index of the cluster, system indices included: "
                + "name the indices")
@ValidationRule(value = "!has(self.namespaceField) || !has(self.scope) || self.scope != '" + Scope.CLUSTER_NAME + "'",
        message = "namespaceField must be left out when scope is " + Scope.CLUSTER_NAME)
// Rules on the whole spec rather than on a field: the generator would copy a record component's rule twice (field
// and accessor). CEL's duration() reads the Go syntax the pattern admits (1h30m, 1.5m, 500ms); size() costs the API
// server the same for any list, so the filter rule fits its CEL cost budget without a bound on the map.
@ValidationRule(value = "!has(self.window) || (duration(self.window) > duration('0s') && duration(self.window) <= duration('"
        + MetricDefinition.MAX_WINDOW + "'))", message = "window must be more than 0s and at most " + MetricDefinition.MAX_WINDOW)
@ValidationRule(value = "!has(self.staleness) || duration(self.staleness) > duration('0s')",
        message = "staleness must be more than 0s")
@ValidationRule(value = "!has(self.filter) || self.filter.all(f, size(self.filter[f]) > 0)",
        message = "filter: every field needs at least one value")
@ValidationRule(value = "!has(self.numerator) || self.numerator.all(f, size(self.numerator[f]) > 0)",
        message = "numerator: every field needs at least one value")
public record MetricDefinition(
        @Required
        @Pattern(INDEX_PATTERN)
        @JsonPropertyDescription("Indices to search, e.g. ai-events-*; commas and wildcards allowed.")
        String indexPattern,

        @Pattern(FIELD)
        @JsonPropertyDescription("The event time field. Default " + DEFAULT_TIME_FIELD + ".")
        String timeField,

        // Unknown enum values read as absent: an ElasticsearchMetric with a value only a newer CRD allows is then one
        // Invalid resource instead of failing the informer's whole list. MetricDefinitionsParser turns this off: in a
        // definitions file an unknown value fails with the values accepted.
        @JsonFormat(with = JsonFormat.Feature.READ_UNKNOWN_ENUM_VALUES_AS_NULL)
        @JsonPropertyDescription(Scope.NAMESPACED_NAME + ": only documents whose namespaceField holds the namespace asking. "
                + Scope.CLUSTER_NAME + ": every document, whichever namespace asks (e.g. Elasticsearch's own indices); "
                + "namespaceField must then be left out. Default " + DEFAULT_SCOPE + ". An ElasticsearchMetric may say "
                + Scope.CLUSTER_NAME + " only where the adapter allows it (" + ALLOW_CLUSTER_SCOPE + ").")
        Scope scope,

        @Pattern(FIELD)
        @JsonPropertyDescription("Field holding the Kubernetes namespace of a document. Default " + DEFAULT_NAMESPACE_FIELD
                + ". An ElasticsearchMetric that names none uses the adapter's adapter.custom-resources.namespace-field, "
                + "and may name another only where the adapter allows it (" + ALLOW_CLUSTER_SCOPE + ").")
        String namespaceField,

        @JsonPropertyDescription("Field -> accepted values, at least one per field; every entry must match (term filters, "
                + "never query syntax).")
        Map<String, List<String>> filter,

        @JsonPropertyDescription("For ratio: field -> accepted values, as filter, of the events counted above the line; "
                + "the ratio is the share of the events matching filter (and the selector) that also match every entry "
                + "here, e.g. http.response.status_code: [500, 503]. No event in the window reads 0. Required by ratio, "
                + "refused by the others.")
        Map<String, List<String>> numerator,

        @Required
        @JsonFormat(with = JsonFormat.Feature.READ_UNKNOWN_ENUM_VALUES_AS_NULL) // as scope
        @JsonPropertyDescription("How the matching documents become a number: rate, count, latest, sum, avg, min, max, "
                + "percentile or ratio.")
        Aggregation aggregation,

        @Pattern(FIELD)
        @JsonPropertyDescription("Numeric field read by latest, sum, avg, min, max and percentile: required by them, "
                + "refused by rate, count and ratio.")
        String field,

        @Min(0)
        @Max(100)
        @JsonPropertyDescription("For percentile: which percentile of the field's values in the window, from 0 to 100, "
                + "e.g. 95 or 99.9. Required by percentile, refused by the others.")
        Double percent,

        @JsonPropertyDescription("Scale to zero without flapping: threshold (at or above it the answer becomes active and "
                + "reads its value) and deactivateBelow (below it an active answer becomes inactive and reads 0), both "
                + "required, 0 <= deactivateBelow < threshold; between the two an answer keeps its state. Compared with the "
                + "total the HPA reads for its selector. A replica that has not seen the answer yet treats it as active. "
                + "Default none: values are served as they are.")
        Activation activation,

        @Pattern(KubernetesDuration.PATTERN)
        @JsonPropertyDescription("Trailing window of the windowed aggregations (all but latest), e.g. 2m. Default "
                + DEFAULT_WINDOW + "; more than 0s, at most " + MAX_WINDOW + ".")
        String window,

        @Pattern(KubernetesDuration.PATTERN)
        @JsonPropertyDescription("How far before now the window ends at the latest, so events still in flight are not "
                + "missed. Default " + DEFAULT_INGEST_LAG + ".")
        String ingestLag,

        @Pattern(KubernetesDuration.PATTERN)
        @JsonPropertyDescription("How far before the pipeline's watermark (the newest event time that has arrived in the "
                + "indices, any namespace) the window ends, for events arriving out of order and shards refreshing at "
                + "different moments. The window ends at the earlier of now minus ingestLag and the watermark minus settle: "
                + "a pipeline that lags delays a value instead of shrinking it. Not used by latest, nor when stalledAfter "
                + "is 0s. Default " + DEFAULT_SETTLE + ".")
        String settle,

        @Pattern(KubernetesDuration.PATTERN)
        @JsonPropertyDescription("For latest: samples older than this no longer count. Default " + DEFAULT_STALENESS
                + "; more than 0s.")
        String staleness,

        @Pattern(KubernetesDuration.PATTERN)
        @JsonPropertyDescription("When the newest event of the indices (any namespace) is older than this, the pipeline "
                + "counts as stalled: the last good value is served within the staleness budget, then an error, never a "
                + "zero made of silence. Default " + DEFAULT_STALLED_AFTER + "; 0s never.")
        String stalledAfter,

        @JsonPropertyDescription("Selector label -> document field; only these labels may appear in an HPA's selector. "
                + "Keys are Kubernetes label keys.")
        Map<String, String> labels,

        @JsonPropertyDescription("Free text, shown nowhere but in the definition itself.")
        String description) {

    // The patterns, anchored as the CRD's schema needs them; MetricRuleFactory matches the same strings.
    // Durations: KubernetesDuration.PATTERN.

    /** Metric names are path segments of the API: keep them to characters that need no escaping. */
    public static final String METRIC_NAME = "^[A-Za-z][A-Za-z0-9_.-]{0,252}$";
    /** Index names and patterns as Elasticsearch accepts them, plus {@code cluster:} prefixes and exclusions. */
    public static final String INDEX_PATTERN = "^-?([a-z0-9_*][a-z0-9_.*+-]*:)?[a-z0-9_*][a-z0-9_.*+-]*"
            + "(,-?([a-z0-9_*][a-z0-9_.*+-]*:)?[a-z0-9_*][a-z0-9_.*+-]*)*$";
    /**
     * An index pattern with a part that reads every index of the cluster ({@code *}, {@code _all}), system indices
     * included: refused. RE2 and JDK regular expressions read it alike (no lookahead).
     */
    public static final String EVERY_INDEX = "^(.*,)?([*]|_all)(,.*)?$";
    /** A document field: time, namespace, filter, label and value fields. */
    public static final String FIELD = "^[A-Za-z0-9@_][A-Za-z0-9@_.-]*$";
    /** A Kubernetes label key: an optional DNS-subdomain prefix and a name. */
    public static final String LABEL_KEY = "^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$";

    // The defaults, each named DEFAULT_ and the field's name (MetricDefinitionReferenceTest checks that its
    // description states it).

    public static final String DEFAULT_TIME_FIELD = "@timestamp";
    public static final String DEFAULT_SCOPE = Scope.NAMESPACED_NAME;
    public static final String DEFAULT_NAMESPACE_FIELD = "kubernetes.namespace";
    public static final String DEFAULT_WINDOW = "1m";
    public static final String DEFAULT_INGEST_LAG = "5s";
    /**
     * While the pipeline keeps up, ingestLag (5s) already covers Elasticsearch's refresh; once it lags, events older
     * than the watermark that are still unsearchable (another shard's refresh, at most 1 s) are a bounded error that
     * a settle of 0 accepts for values as early as the pipeline allows.
     */
    public static final String DEFAULT_SETTLE = "0s";
    public static final String DEFAULT_STALENESS = "3m";
    /**
     * The shortest default {@code stalledAfter}: Logstash batches events and Elasticsearch makes them searchable
     * after a refresh, so a few seconds of silence are normal even when events flow.
     */
    public static final String MIN_DEFAULT_STALLED_AFTER = "30s";
    /** Computed by {@link MetricRuleFactory#defaultStalledAfter}. */
    public static final String DEFAULT_STALLED_AFTER =
            "half of (window + ingestLag), or of staleness for latest, at least " + MIN_DEFAULT_STALLED_AFTER;
    public static final String MAX_WINDOW = "24h";

    /** The setting that lets an ElasticsearchMetric leave its namespace (crd.CustomResourcesConfig). */
    private static final String ALLOW_CLUSTER_SCOPE = "adapter.custom-resources.allow-cluster-scope";

    /**
     * A definition of any aggregation but percentile and ratio, which alone have a {@code percent} and a
     * {@code numerator}, without activation.
     */
    public MetricDefinition(String indexPattern, String timeField, Scope scope, String namespaceField,
            Map<String, List<String>> filter, Aggregation aggregation, String field, String window, String ingestLag,
            String settle, String staleness, String stalledAfter, Map<String, String> labels, String description) {
        this(indexPattern, timeField, scope, namespaceField, filter, null, aggregation, field, null, null, window,
                ingestLag, settle, staleness, stalledAfter, labels, description);
    }

    /** The same definition reading another namespace field. */
    public MetricDefinition withNamespaceField(String namespaceField) {
        return new MetricDefinition(indexPattern, timeField, scope, namespaceField, filter, numerator, aggregation, field,
                percent, activation, window, ingestLag, settle, staleness, stalledAfter, labels, description);
    }
}
