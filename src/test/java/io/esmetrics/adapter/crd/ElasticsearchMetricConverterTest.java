package io.esmetrics.adapter.crd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.esmetrics.adapter.rules.Activation;
import io.esmetrics.adapter.rules.Aggregation;
import io.esmetrics.adapter.rules.InvalidMetricDefinitionException;
import io.esmetrics.adapter.rules.MetricDefinition;
import io.esmetrics.adapter.rules.MetricRule;
import io.esmetrics.adapter.rules.Scope;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ElasticsearchMetricConverterTest {

    @Test
    void readsOnlyDocumentsOfTheConfiguredNamespaceField() {
        MetricRule rule = converter(false).toRule(resource(spec(null, null)));

        assertThat(rule.name()).isEqualTo("chat-errors");
        assertThat(rule.namespaceField()).contains("k8s.ns");
        assertThat(rule.source()).isEqualTo("ElasticsearchMetric team-a/chat-errors");
        assertThat(rule.filter()).containsEntry("event.dataset", List.of("ai.request"));
        assertThat(rule.labels()).containsEntry("service", "service.name");
    }

    @Test
    void refusesClusterScopeUnlessAllowed() {
        assertThatThrownBy(() -> converter(false).toRule(resource(spec(Scope.CLUSTER, null))))
                .isInstanceOf(InvalidMetricDefinitionException.class)
                .hasMessage("invalid metric definition 'chat-errors' (ElasticsearchMetric team-a/chat-errors): field 'scope': "
                        + "Cluster is not allowed: this adapter only lets a resource read documents of its own namespace");
    }

    @Test
    void refusesAnotherNamespaceFieldUnlessAllowed() {
        assertThatThrownBy(() -> converter(false).toRule(resource(spec(null, "service.name"))))
                .isInstanceOf(InvalidMetricDefinitionException.class)
                .hasMessageContaining("field 'namespaceField': is not allowed: this adapter always uses k8s.ns");
    }

    @Test
    void acceptsClusterScopeAndOtherNamespaceFieldsWhenAllowed() {
        assertThat(converter(true).toRule(resource(spec(Scope.CLUSTER, null))).namespaceField()).isEmpty();
        assertThat(converter(true).toRule(resource(spec(null, "tenant"))).namespaceField()).contains("tenant");
    }

    @Test
    void validatesLikeDefinitionsFiles() {
        MetricDefinition noField = new MetricDefinition("ai-events-*", null, null, null, null, Aggregation.SUM,
                null, null, null, null, null, null, null, null);

        assertThatThrownBy(() -> converter(false).toRule(resource(noField)))
                .hasMessageEndingWith("field 'field': is required");
        assertThatThrownBy(() -> converter(false).toRule(resource(null))).hasMessageEndingWith("field 'spec': is required");
    }

    @Test
    void anUnknownAggregationMakesOneInvalidResourceNotAnUnreadableList() {
        ElasticsearchMetric resource = Serialization.unmarshal("""
                {"apiVersion": "esmetrics.io/v1alpha1", "kind": "ElasticsearchMetric",
                 "metadata": {"name": "chat-errors", "namespace": "team-a"},
                 "spec": {"indexPattern": "ai-events-*", "aggregation": "median", "scope": "Galaxy"}}
                """, ElasticsearchMetric.class);

        assertThatThrownBy(() -> converter(false).toRule(resource))
                .isInstanceOf(InvalidMetricDefinitionException.class)
                .hasMessageEndingWith("field 'aggregation': is required");
    }

    @Test
    void theDocumentedExampleIsAValidResource() throws IOException {
        MetricRule rule = converter(false).toRule(documentedExample("## Example: a metric and the HPA that uses it"));

        assertThat(rule.name()).isEqualTo("chat-errors");
        assertThat(rule.aggregation()).isEqualTo(Aggregation.RATE);
        assertThat(rule.filter()).containsEntry("http.response.status_code", List.of("500", "503"));
        assertThat(rule.namespaceField()).contains("k8s.ns");
    }

    @Test
    void theDocumentedRatioIsAValidResource() throws IOException {
        MetricRule rule = converter(false).toRule(documentedExample("## Example: an error ratio"));

        assertThat(rule.aggregation()).isEqualTo(Aggregation.RATIO);
        assertThat(rule.numerator()).containsEntry("http.response.status_code", List.of("429", "500", "502", "503", "504"));
        assertThat(rule.splitsIntoSeries()).isFalse();
    }

    @Test
    void theDocumentedScaleToZeroExampleIsAValidResource() throws IOException {
        MetricRule rule = converter(false).toRule(documentedExample("## Example: a queue that scales its service to zero"));

        assertThat(rule.name()).isEqualTo("batch-queue");
        assertThat(rule.activation()).contains(new Activation(10.0, 2.0));
    }

    /** The first resource of the first YAML block under {@code heading} in docs/elasticsearchmetric.md. */
    private static ElasticsearchMetric documentedExample(String heading) throws IOException {
        String page = Files.readString(Path.of("docs/elasticsearchmetric.md"));
        String section = page.substring(page.indexOf(heading));
        int start = section.indexOf("```yaml") + "```yaml".length();
        String yaml = section.substring(start, section.indexOf("```", start));
        return Serialization.unmarshal(yaml.split("\n---\n")[0], ElasticsearchMetric.class);
    }

    /** The cluster operator's allow-list: the event indices, and one remote cluster's metrics. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ai-events-*", "ai-events-2026.12.*", "ai-events-2026.12.07", "ai-events-*,-ai-events-2025.*",
            "remote:metrics-*"})
    void readsTheIndicesTheOperatorAllows(String indexPattern) {
        assertThat(converter(false).toRule(resource(spec(indexPattern))).indexPattern()).isEqualTo(indexPattern);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ai-*", "secrets", "ai-events-*,secrets", "security-7", "other:metrics-*", "remote:*",
            "remote:ai-events-*"})
    void refusesIndicesTheOperatorDoesNotAllow(String indexPattern) {
        assertThatThrownBy(() -> converter(false).toRule(resource(spec(indexPattern))))
                .isInstanceOf(InvalidMetricDefinitionException.class)
                .hasMessageContaining("field 'indexPattern'")
                .hasMessageContaining("adapter.custom-resources.allowed-index-patterns");
    }

    /** A team's resource within the cluster's bounds (2 labels, window 1h, staleness 30m, ingestLag 5m here), and past them. */
    @Test
    void refusesWhatGoesPastTheClustersBoundsNamingTheBound() {
        MetricDefinition withinBounds = new MetricDefinition("ai-events-*", null, null, null, null, Aggregation.LATEST, "x", null,
                "5m", null, "30m", null, Map.of("a", "a", "b", "b"), null);
        assertThat(converter(false).toRule(resource(withinBounds)).labels()).hasSize(2);

        assertThatThrownBy(() -> converter(false).toRule(resource(new MetricDefinition("ai-events-*", null, null, null, null,
                Aggregation.COUNT, null, null, null, null, null, null, Map.of("a", "a", "b", "b", "c", "c"), null))))
                .hasMessageContaining("field 'labels'").hasMessageContaining("adapter.custom-resources.max-labels");
        assertThatThrownBy(() -> converter(false).toRule(resource(new MetricDefinition("ai-events-*", null, null, null, null,
                Aggregation.RATE, null, "2h", null, null, null, null, null, null))))
                .hasMessageContaining("field 'window': 2h0m0s is longer than the 1h0m0s").hasMessageContaining("max-window");
        assertThatThrownBy(() -> converter(false).toRule(resource(new MetricDefinition("ai-events-*", null, null, null, null,
                Aggregation.LATEST, "x", null, null, null, "8760h", null, null, null))))
                .hasMessageContaining("field 'staleness'").hasMessageContaining("max-staleness");
        assertThatThrownBy(() -> converter(false).toRule(resource(new MetricDefinition("ai-events-*", null, null, null, null,
                Aggregation.RATE, null, null, "10m", null, null, null, null, null))))
                .hasMessageContaining("field 'ingestLag'").hasMessageContaining("max-ingest-lag");
    }

    private static MetricDefinition spec(String indexPattern) {
        return new MetricDefinition(indexPattern, null, null, null, null, Aggregation.COUNT, null, null, null, null, null, null,
                null, null);
    }

    private static MetricDefinition spec(Scope scope, String namespaceField) {
        return new MetricDefinition("ai-events-*", null, scope, namespaceField, Map.of("event.dataset", List.of("ai.request")),
                Aggregation.RATE, null, "2m", null, null, null, null, Map.of("service", "service.name"), null);
    }

    private static ElasticsearchMetric resource(MetricDefinition spec) {
        ElasticsearchMetric resource = new ElasticsearchMetric();
        resource.setMetadata(new ObjectMetaBuilder().withNamespace("team-a").withName("chat-errors").build());
        resource.setSpec(spec);
        return resource;
    }

    private static ElasticsearchMetricConverter converter(boolean allowClusterScope) {
        return new ElasticsearchMetricConverter(new CustomResourcesConfig() {
            @Override
            public boolean enabled() {
                return true;
            }

            @Override
            public boolean allowClusterScope() {
                return allowClusterScope;
            }

            @Override
            public String namespaceField() {
                return "k8s.ns";
            }

            @Override
            public List<String> allowedIndexPatterns() {
                return List.of("ai-events-*", "remote:metrics-*");
            }

            @Override
            public int maxPerNamespace() {
                return 50;
            }

            @Override
            public int maxLabels() {
                return 2;
            }

            @Override
            public Duration maxWindow() {
                return Duration.ofHours(1);
            }

            @Override
            public Duration maxStaleness() {
                return Duration.ofMinutes(30);
            }

            @Override
            public Duration maxIngestLag() {
                return Duration.ofMinutes(5);
            }

            @Override
            public Duration statusInterval() {
                return Duration.ofSeconds(30);
            }

            @Override
            public Duration unusedStatusInterval() {
                return Duration.ofMinutes(5);
            }

            @Override
            public Duration statusRefresh() {
                return Duration.ofMinutes(5);
            }

            @Override
            public LeaderElection leaderElection() {
                throw new UnsupportedOperationException("the converter does not elect");
            }
        });
    }
}
