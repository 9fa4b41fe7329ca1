package io.esmetrics.adapter.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricRulesTest {

    @TempDir
    Path dir;

    @Test
    void definitionsFilesAddMetricsAndReplaceBuiltinsOfTheSameName() throws IOException {
        Path file = write("""
                metrics:
                  request_rate:
                    indexPattern: other-*
                    aggregation: rate
                  errors:
                    indexPattern: ai-events-*
                    aggregation: count
                """);

        MetricRules rules = new MetricRules(config(true, file));

        assertThat(rules.names()).containsExactly("elasticsearch_shards_unsettled", "errors", "queue_length", "request_error_ratio",
                "request_latency_p95", "request_rate");
        assertThat(rules.find("any", "request_rate")).get().extracting(MetricRule::indexPattern).isEqualTo("other-*");
        assertThat(rules.find("any", "nope")).isEmpty();
    }

    @Test
    void namespacedMetricsAreSeenFromTheirNamespaceAndNeverReplaceConfiguredOnes() throws IOException {
        MetricRule configured = MetricRuleFactory.create("file", "errors", new MetricDefinition("a", null, null, null, null,
                Aggregation.COUNT, null, null, null, null, null, null, null, null));
        MetricRule declared = MetricRuleFactory.create("resource", "chat-errors", new MetricDefinition("b", null, null, null,
                null, Aggregation.COUNT, null, null, null, null, null, null, null, null));
        NamespacedRules namespaced = new NamespacedRules() {
            @Override
            public Optional<MetricRule> find(String namespace, String name) {
                return namespace.equals("team-a") && (name.equals("errors") || name.equals("chat-errors"))
                        ? Optional.of(declared) : Optional.empty();
            }

            @Override
            public java.util.Collection<String> names() {
                return List.of("errors", "chat-errors");
            }
        };

        MetricRules rules = new MetricRules(config(false, write("metrics:\n  errors:\n    indexPattern: a\n    aggregation: count\n")),
                namespaced);

        assertThat(rules.names()).containsExactly("chat-errors", "errors");
        assertThat(rules.find("team-a", "chat-errors")).contains(declared);
        assertThat(rules.find("team-b", "chat-errors")).isEmpty();
        assertThat(rules.find("team-a", "errors")).get().extracting(MetricRule::indexPattern).isEqualTo(configured.indexPattern());
        assertThat(rules.configured("errors")).isTrue();
        assertThat(rules.configured("chat-errors")).isFalse();
    }

    /** It reads no events: nothing watches their ingest. A file that declares its name replaces it like any built-in. */
    @Test
    void theClusterHealthMetricIsServedWithoutEventsToWatchAndAFileMayReplaceIt() throws IOException {
        MetricRules builtins = new MetricRules(config(true, write("metrics: {}\n")));
        MetricRules replaced = new MetricRules(config(true,
                write("metrics:\n  elasticsearch_shards_unsettled:\n    indexPattern: a\n    aggregation: count\n")));

        assertThat(builtins.find("elastic", ClusterHealthRule.NAME)).contains(ClusterHealthRule.RULE);
        assertThat(builtins.configured(ClusterHealthRule.NAME)).isTrue();
        assertThat(builtins.configuredRules()).extracting(MetricRule::name).doesNotContain(ClusterHealthRule.NAME);
        assertThat(replaced.configuredRules()).extracting(MetricRule::name).contains(ClusterHealthRule.NAME);
        assertThat(ClusterHealthRule.is(replaced.find("elastic", ClusterHealthRule.NAME).orElseThrow())).isFalse();
    }

    @Test
    void builtinsCanBeTurnedOff() throws IOException {
        MetricRules rules = new MetricRules(config(false, write("metrics:\n  a:\n    indexPattern: a\n    aggregation: count\n")));

        assertThat(rules.names()).containsExactly("a");
    }

    @Test
    void aBadDefinitionFailsStartUpNamingFileMetricAndField() throws IOException {
        Path file = write("metrics:\n  latency:\n    indexPattern: a\n    aggregation: avg\n");

        assertThatThrownBy(() -> new MetricRules(config(true, file)))
                .isInstanceOf(InvalidMetricDefinitionException.class)
                .hasMessage("invalid metric definition 'latency' (" + file + "): field 'field': is required");
    }

    @Test
    void aMissingFileFailsStartUp() {
        Path missing = dir.resolve("missing.yaml");

        assertThatThrownBy(() -> new MetricRules(config(true, missing)))
                .isInstanceOf(InvalidMetricDefinitionException.class)
                .hasMessageContaining(missing + "): cannot read the file");
    }

    private Path write(String yaml) throws IOException {
        return Files.writeString(dir.resolve("metrics.yaml"), yaml);
    }

    private static RulesConfig config(boolean builtins, Path file) {
        return new RulesConfig() {
            @Override
            public boolean builtins() {
                return builtins;
            }

            @Override
            public Optional<List<Path>> files() {
                return Optional.of(List.of(file));
            }
        };
    }
}
