package io.esmetrics.adapter.rules;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Applies defaults to a {@link MetricDefinition} and rejects, naming the field, what cannot work. The patterns and
 * defaults are the model's constants, which the CRD's schema and descriptions carry too.
 */
public final class MetricRuleFactory {

    private static final Scope DEFAULT_SCOPE = Scope.fromWireName(MetricDefinition.DEFAULT_SCOPE).orElseThrow();
    private static final Duration DEFAULT_WINDOW = KubernetesDuration.parse(MetricDefinition.DEFAULT_WINDOW);
    private static final Duration DEFAULT_INGEST_LAG = KubernetesDuration.parse(MetricDefinition.DEFAULT_INGEST_LAG);
    private static final Duration DEFAULT_SETTLE = KubernetesDuration.parse(MetricDefinition.DEFAULT_SETTLE);
    private static final Duration DEFAULT_STALENESS = KubernetesDuration.parse(MetricDefinition.DEFAULT_STALENESS);
    private static final Duration MIN_DEFAULT_STALLED_AFTER = KubernetesDuration.parse(MetricDefinition.MIN_DEFAULT_STALLED_AFTER);
    private static final Duration MAX_WINDOW = KubernetesDuration.parse(MetricDefinition.MAX_WINDOW);
    /** A label key's prefix (a DNS subdomain, 253) and name (63), with the slash between them. */
    private static final int MAX_LABEL_KEY_LENGTH = 316;

    private static final Pattern METRIC_NAME = Pattern.compile(MetricDefinition.METRIC_NAME);
    private static final Pattern INDEX_PATTERN = Pattern.compile(MetricDefinition.INDEX_PATTERN);
    private static final Pattern EVERY_INDEX = Pattern.compile(MetricDefinition.EVERY_INDEX);
    private static final Pattern FIELD = Pattern.compile(MetricDefinition.FIELD);
    private static final Pattern LABEL_KEY = Pattern.compile(MetricDefinition.LABEL_KEY);

    private MetricRuleFactory() {
    }

    public static MetricRule create(String source, String name, MetricDefinition definition) {
        Validation v = new Validation(source, name);
        if (name == null || !METRIC_NAME.matcher(name).matches()) {
            throw v.fail("name", "must start with a letter and contain only letters, digits, '_', '.' or '-'");
        }
        String indexPattern = v.required("indexPattern", definition.indexPattern());
        if (!INDEX_PATTERN.matcher(indexPattern).matches()) {
            throw v.fail("indexPattern", "\"" + indexPattern + "\" is not an Elasticsearch index name or pattern");
        }
        if (EVERY_INDEX.matcher(indexPattern).matches()) {
            throw v.fail("indexPattern", "may not be * or _all, which read every index of the cluster, system indices included: "
                    + "name the indices");
        }
        String timeField = v.field("timeField", Optional.ofNullable(definition.timeField()).orElse(MetricDefinition.DEFAULT_TIME_FIELD));
        Scope scope = Optional.ofNullable(definition.scope()).orElse(DEFAULT_SCOPE);
        Optional<String> namespaceField = switch (scope) {
            case NAMESPACED -> Optional.of(v.field("namespaceField",
                    Optional.ofNullable(definition.namespaceField()).orElse(MetricDefinition.DEFAULT_NAMESPACE_FIELD)));
            case CLUSTER -> {
                if (definition.namespaceField() != null) {
                    throw v.fail("namespaceField", "must be empty when scope is Cluster");
                }
                yield Optional.empty();
            }
        };
        Aggregation aggregation = v.required("aggregation", definition.aggregation());
        Optional<String> field = Optional.ofNullable(definition.field());
        if (aggregation.readsField()) {
            v.field("field", v.required("field", definition.field()));
        } else if (field.isPresent()) {
            throw v.fail("field", "is not used by aggregation '" + aggregation.wireName() + "'; remove it");
        }
        Optional<Double> percent = Optional.ofNullable(definition.percent());
        if (aggregation.readsPercent()) {
            double p = v.required("percent", definition.percent());
            if (!(p >= 0 && p <= 100)) {
                throw v.fail("percent", "must be from 0 to 100, e.g. 95 or 99.9");
            }
        } else if (percent.isPresent()) {
            throw v.fail("percent", "is not used by aggregation '" + aggregation.wireName() + "'; remove it");
        }
        Map<String, List<String>> numerator = filter(v, "numerator", definition.numerator());
        if (aggregation.readsNumerator() && numerator.isEmpty()) {
            throw v.fail("numerator", "is required by aggregation 'ratio': the filter of the events counted above the line");
        } else if (!aggregation.readsNumerator() && definition.numerator() != null) {
            throw v.fail("numerator", "is not used by aggregation '" + aggregation.wireName() + "'; remove it");
        }
        Optional<Activation> activation = Optional.ofNullable(definition.activation()).map(bounds -> activation(v, bounds));
        Duration window = v.duration("window", definition.window(), DEFAULT_WINDOW);
        if (window.isZero() || window.compareTo(MAX_WINDOW) > 0) {
            throw v.fail("window", "must be more than 0s and at most " + MetricDefinition.MAX_WINDOW);
        }
        Duration ingestLag = v.duration("ingestLag", definition.ingestLag(), DEFAULT_INGEST_LAG);
        Duration settle = v.duration("settle", definition.settle(), DEFAULT_SETTLE);
        Duration staleness = v.duration("staleness", definition.staleness(), DEFAULT_STALENESS);
        if (staleness.isZero()) {
            throw v.fail("staleness", "must be more than 0s");
        }
        Duration stalledAfter = v.duration("stalledAfter", definition.stalledAfter(),
                defaultStalledAfter(MetricRule.span(aggregation, window, ingestLag, staleness)));
        return new MetricRule(name, indexPattern, timeField, namespaceField, filter(v, "filter", definition.filter()),
                numerator, aggregation, field, percent, activation, window, ingestLag, settle, staleness, stalledAfter,
                labels(v, definition.labels()), source);
    }

    /**
     * Half of what a value reads ({@link MetricRule#span()}), at least {@link #MIN_DEFAULT_STALLED_AFTER}: a stall is
     * then noticed before silence has emptied the window, so a metric never decays to a zero made of silence.
     */
    static Duration defaultStalledAfter(Duration span) {
        Duration half = span.dividedBy(2);
        return half.compareTo(MIN_DEFAULT_STALLED_AFTER) < 0 ? MIN_DEFAULT_STALLED_AFTER : half;
    }

    /** Both bounds, finite, 0 or more, the lower one below the other: without room between them there is no hysteresis. */
    private static Activation activation(Validation v, Activation activation) {
        double threshold = v.required("activation.threshold", activation.threshold());
        double deactivateBelow = v.required("activation.deactivateBelow", activation.deactivateBelow());
        if (!Double.isFinite(threshold) || threshold < 0) {
            throw v.fail("activation.threshold", "must be a finite number, 0 or more");
        }
        if (!Double.isFinite(deactivateBelow) || deactivateBelow < 0) {
            throw v.fail("activation.deactivateBelow", "must be a finite number, 0 or more");
        }
        if (!(deactivateBelow < threshold)) {
            throw v.fail("activation.deactivateBelow", "must be less than activation.threshold (" + threshold
                    + "): between the two an answer keeps its state, which is what stops it flapping");
        }
        return activation;
    }

    /** A filter or a ratio's numerator: field -> accepted values. */
    private static Map<String, List<String>> filter(Validation v, String name, Map<String, List<String>> filter) {
        Map<String, List<String>> checked = new LinkedHashMap<>();
        if (filter != null) {
            filter.forEach((field, values) -> {
                v.field(name, field);
                if (values == null || values.isEmpty() || values.stream().anyMatch(value -> value == null)) {
                    throw v.fail(name + "." + field, "needs at least one value, and no null values");
                }
                checked.put(field, List.copyOf(values));
            });
        }
        return java.util.Collections.unmodifiableMap(checked);
    }

    private static java.util.SortedMap<String, String> labels(Validation v, Map<String, String> labels) {
        TreeMap<String, String> checked = new TreeMap<>();
        if (labels != null) {
            labels.forEach((label, field) -> {
                if (!LABEL_KEY.matcher(label).matches() || label.length() > MAX_LABEL_KEY_LENGTH) {
                    throw v.fail("labels", "\"" + label + "\" is not a valid Kubernetes label key");
                }
                checked.put(label, v.field("labels." + label, v.required("labels." + label, field)));
            });
        }
        return java.util.Collections.unmodifiableSortedMap(checked);
    }

    private record Validation(String source, String metric) {

        InvalidMetricDefinitionException fail(String field, String problem) {
            return new InvalidMetricDefinitionException(source, metric, field, problem);
        }

        <T> T required(String field, T value) {
            if (value == null || (value instanceof String s && s.isBlank())) {
                throw fail(field, "is required");
            }
            return value;
        }

        String field(String what, String field) {
            if (field == null || !FIELD.matcher(field).matches()) {
                throw fail(what, "\"" + field + "\" is not a field name");
            }
            return field;
        }

        Duration duration(String field, String text, Duration defaultValue) {
            if (text == null) {
                return defaultValue;
            }
            try {
                return KubernetesDuration.parse(text);
            } catch (IllegalArgumentException e) {
                throw fail(field, e.getMessage());
            }
        }
    }
}
