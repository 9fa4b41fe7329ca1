package io.esmetrics.adapter.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MetricDefinitionsParserTest {

    @Test
    void builtinsDefineQueueLengthRequestRateAndRequestLatency() {
        List<MetricRule> rules = MetricDefinitionsParser.parse("built-in", MetricRules.builtins());

        assertThat(rules).extracting(MetricRule::name).containsExactly("queue_length", "request_rate", "request_latency_p95",
                "request_error_ratio");
        MetricRule queueLength = rules.get(0);
        assertThat(queueLength.aggregation()).isEqualTo(Aggregation.LATEST);
        assertThat(queueLength.field()).contains("queue.length");
        assertThat(queueLength.labels()).isEqualTo(Map.of("queue", "queue.name", "service", "service.name"));
        assertThat(queueLength.namespaceField()).contains("kubernetes.namespace");
        assertThat(queueLength.staleness()).isEqualTo(Duration.ofMinutes(3));
        MetricRule requestRate = rules.get(1);
        assertThat(requestRate.aggregation()).isEqualTo(Aggregation.RATE);
        assertThat(requestRate.window()).isEqualTo(Duration.ofMinutes(1));
        assertThat(requestRate.reportedWindow()).contains(Duration.ofMinutes(1));
        assertThat(requestRate.filter()).isEqualTo(Map.of("event.dataset", List.of("ai.request")));
        MetricRule latency = rules.get(2);
        assertThat(latency.aggregation()).isEqualTo(Aggregation.PERCENTILE);
        assertThat(latency.percent()).contains(95.0);
        assertThat(latency.field()).contains("event.duration");
        assertThat(latency.splitsIntoSeries()).as("percentiles do not add up").isFalse();
        assertThat(latency.filter()).isEqualTo(requestRate.filter());
        MetricRule errors = rules.get(3);
        assertThat(errors.aggregation()).isEqualTo(Aggregation.RATIO);
        assertThat(errors.filter()).isEqualTo(requestRate.filter());
        assertThat(errors.numerator().get("http.response.status_code")).contains("500", "503", "511").hasSize(11);
        assertThat(errors.splitsIntoSeries()).as("shares do not add up").isFalse();
        assertThat(errors.reportedWindow()).as("a share is not per window").isEmpty();
    }

    @Test
    void appliesDefaultsToAMinimalDefinition() {
        MetricRule rule = parseOne("""
                metrics:
                  errors:
                    indexPattern: logs-*
                    aggregation: count
                """);

        assertThat(rule.timeField()).isEqualTo("@timestamp");
        assertThat(rule.namespaceField()).contains("kubernetes.namespace");
        assertThat(rule.window()).isEqualTo(Duration.ofMinutes(1));
        assertThat(rule.ingestLag()).isEqualTo(Duration.ofSeconds(5));
        assertThat(rule.labels()).isEmpty();
        assertThat(rule.reportedWindow()).isEmpty();
    }

    @Test
    void clusterScopedMetricsHaveNoNamespaceField() {
        MetricRule rule = parseOne("""
                metrics:
                  es_ingest_rate:
                    indexPattern: ai-events-*
                    scope: Cluster
                    aggregation: rate
                    window: 2m30s
                """);

        assertThat(rule.namespaceField()).isEqualTo(Optional.empty());
        assertThat(rule.window()).isEqualTo(Duration.ofSeconds(150));
    }

    @Test
    void readsAnActivationThresholdWithItsLowerBound() {
        MetricRule rule = parseOne("""
                metrics:
                  idle_queue_length:
                    indexPattern: ai-events-*
                    aggregation: latest
                    field: queue.length
                    activation: {threshold: 5, deactivateBelow: 0.5}
                """);

        assertThat(rule.activation()).contains(new Activation(5.0, 0.5));
        assertThat(parseOne("metrics:\n  m:\n    indexPattern: a\n    aggregation: count\n").activation())
                .as("optional: values served as they are").isEmpty();
    }

    @Test
    void acceptsASingleFilterValueOrAList() {
        MetricRule rule = parseOne("""
                metrics:
                  m:
                    indexPattern: a
                    aggregation: count
                    filter:
                      event.dataset: ai.request
                      http.response.status_code: [500, 503]
                """);

        assertThat(rule.filter()).isEqualTo(Map.of("event.dataset", List.of("ai.request"),
                "http.response.status_code", List.of("500", "503")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "missing index pattern       | aggregation: count                                    | indexPattern | is required",
            "bad index pattern           | indexPattern: 'Logs/*'\\n    aggregation: count       | indexPattern | not an Elasticsearch index",
            "unknown aggregation         | indexPattern: a\\n    aggregation: median              | aggregation  | not one of the values accepted",
            "field missing for sum       | indexPattern: a\\n    aggregation: sum                 | field        | is required",
            "field given for rate        | indexPattern: a\\n    aggregation: rate\\n    field: x  | field        | not used by aggregation 'rate'",
            "bad window                  | indexPattern: a\\n    aggregation: rate\\n    window: 1 minute | window | not a duration",
            "zero window                 | indexPattern: a\\n    aggregation: rate\\n    window: 0s | window       | more than 0s",
            "typo in a key               | indexPattern: a\\n    aggregaton: rate                 | aggregaton   | Unrecognized field",
            "bad label key               | indexPattern: a\\n    aggregation: count\\n    labels: {'-x': f} | labels | not a valid Kubernetes label key",
            "bad label field             | indexPattern: a\\n    aggregation: count\\n    labels: {x: 'a b'} | labels.x | not a field name",
            "namespace field on cluster  | indexPattern: a\\n    aggregation: count\\n    scope: Cluster\\n    namespaceField: ns | namespaceField | Cluster",
            "bad scope                   | indexPattern: a\\n    aggregation: count\\n    scope: Everywhere | scope | not one of the values accepted",
            "empty filter values         | indexPattern: a\\n    aggregation: count\\n    filter: {a: []} | filter.a | at least one value",
            "threshold beyond a double   | indexPattern: a\\n    aggregation: count\\n    activation: {threshold: 1e400, deactivateBelow: 1} | activation.threshold | finite",
            "threshold not a number      | indexPattern: a\\n    aggregation: count\\n    activation: {threshold: NaN, deactivateBelow: 1} | activation.threshold | finite",
            "infinite deactivateBelow    | indexPattern: a\\n    aggregation: count\\n    activation: {threshold: 1, deactivateBelow: -Infinity} | activation.deactivateBelow | finite",
            "no room between the bounds  | indexPattern: a\\n    aggregation: count\\n    activation: {threshold: 2, deactivateBelow: 2} | activation.deactivateBelow | less than activation.threshold",
            "unknown key in activation   | indexPattern: a\\n    aggregation: count\\n    activation: {threshold: 2, below: 1} | activation.below | Unrecognized field",
    })
    void rejectsBadDefinitionsNamingMetricAndField(String name, String body, String field, String problem) {
        String yaml = "metrics:\n  broken:\n    " + body.replace("\\n", "\n") + "\n";

        assertThatThrownBy(() -> MetricDefinitionsParser.parse("test.yaml", yaml))
                .isInstanceOf(InvalidMetricDefinitionException.class)
                .hasMessageContaining("'broken'")
                .hasMessageContaining("test.yaml")
                .hasMessageContaining("field '" + field + "'")
                .hasMessageContaining(problem);
    }

    @Test
    void rejectsUnknownTopLevelKeys() {
        assertThatThrownBy(() -> MetricDefinitionsParser.parse("test.yaml", "metric:\n  a: {}\n"))
                .isInstanceOf(InvalidMetricDefinitionException.class)
                .hasMessageContaining("unknown top-level key 'metric'");
    }

    @Test
    void rejectsInvalidYaml() {
        assertThatThrownBy(() -> MetricDefinitionsParser.parse("test.yaml", "metrics: [\n"))
                .isInstanceOf(InvalidMetricDefinitionException.class)
                .hasMessageContaining("not valid YAML");
    }

    @Test
    void rejectsMetricNamesThatAreNotPathSafe() {
        assertThatThrownBy(() -> parseOne("metrics:\n  'a/b':\n    indexPattern: a\n    aggregation: count\n"))
                .hasMessageContaining("field 'name'");
    }

    private static MetricRule parseOne(String yaml) {
        List<MetricRule> rules = MetricDefinitionsParser.parse("test.yaml", yaml);
        assertThat(rules).hasSize(1);
        return rules.get(0);
    }
}
