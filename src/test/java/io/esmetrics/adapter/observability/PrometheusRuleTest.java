package io.esmetrics.adapter.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.esmetrics.adapter.observability.PromQl.LabelMatcher;
import io.esmetrics.adapter.observability.PromQl.Selector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The alerts of k8s/components/monitoring: each says how bad it is, for how long it must hold, and where its runbook
 * is, a section of docs/monitoring.md that exists; and the one about the scrape itself names the job Prometheus gives
 * the adapter. What the expressions read is checked against a real scrape by {@link MonitoringQueriesTest}.
 */
class PrometheusRuleTest {

    private static final Path RUNBOOKS = Path.of("docs", "monitoring.md");
    private static final String RUNBOOK_URL = "https://github.com/es-metrics-adapter/es-metrics-adapter/blob/main/docs/monitoring.md#";
    private static final Pattern DURATION = Pattern.compile("[1-9][0-9]*(s|m|h)");
    private static final YAMLFactory YAML = new YAMLFactory();

    static Stream<JsonNode> alerts() {
        List<JsonNode> alerts = new ArrayList<>();
        read(MonitoringQueries.RULES).path("spec").path("groups").forEach(group -> group.path("rules").forEach(alerts::add));
        return alerts.stream();
    }

    @Test
    void isAPrometheusRuleOfTheOperator() {
        JsonNode rule = read(MonitoringQueries.RULES);

        assertThat(rule.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(rule.path("kind").asText()).isEqualTo("PrometheusRule");
        assertThat(alerts()).isNotEmpty();
    }

    static Stream<Arguments> alertsByName() {
        return alerts().map(alert -> Arguments.of(alert.path("alert").asText() + " " + alert.path("labels").path("severity").asText(), alert));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("alertsByName")
    void saysHowBadForHowLongAndWhatToDo(String description, JsonNode alert) {
        String name = alert.path("alert").asText();

        assertThat(name).matches("EsMetricsAdapter[A-Z][A-Za-z]+");
        assertThat(alert.path("expr").asText()).isNotBlank();
        assertThat(alert.path("for").asText()).as(name + ": a blip must not page").matches(DURATION);
        assertThat(alert.path("labels").path("severity").asText()).isIn("critical", "warning");
        assertThat(alert.path("annotations").path("summary").asText()).isNotBlank();
        assertThat(alert.path("annotations").path("description").asText()).isNotBlank();
        assertThat(alert.path("annotations").path("runbook_url").asText()).isEqualTo(RUNBOOK_URL + name.toLowerCase(Locale.ROOT));
    }

    @Test
    void hasARunbookSectionForEveryAlertAndNoOther() throws IOException {
        Set<String> alerts = new TreeSet<>(alerts().map(alert -> alert.path("alert").asText()).toList());
        String doc = Files.readString(RUNBOOKS);
        String runbooks = doc.substring(doc.indexOf("\n## Runbooks\n"));
        Set<String> sections = new TreeSet<>();
        Matcher heading = Pattern.compile("(?m)^### (\\S+)$").matcher(runbooks);
        while (heading.find()) {
            sections.add(heading.group(1));
        }

        assertThat(sections).isEqualTo(alerts);
    }

    /** Without jobLabel, the Prometheus Operator names the job after the Service the ServiceMonitor selects. */
    @Test
    void watchesTheJobTheServiceMonitorGivesTheAdapter() {
        JsonNode monitor = read(MonitoringQueries.COMPONENT.resolve("servicemonitor.yaml"));
        JsonNode service = read(Path.of("k8s", "adapter", "service.yaml"));
        assertThat(monitor.path("spec").has("jobLabel")).isFalse();
        List<LabelMatcher> jobs = new ArrayList<>();

        alerts().forEach(alert -> PromQl.selectors(alert.path("expr").asText()).stream()
                .filter(selector -> selector.metric().equals("up")).map(Selector::matchers).forEach(jobs::addAll));

        assertThat(jobs).isNotEmpty().allSatisfy(matcher -> {
            assertThat(matcher.label()).isEqualTo("job");
            assertThat(matcher.value()).isEqualTo(service.path("metadata").path("name").asText());
        });
    }

    private static JsonNode read(Path file) {
        try {
            return new ObjectMapper(YAML).readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
