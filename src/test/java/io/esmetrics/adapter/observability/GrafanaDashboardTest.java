package io.esmetrics.adapter.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.esmetrics.adapter.observability.MonitoringQueries.Query;
import io.esmetrics.adapter.observability.PromQl.LabelMatcher;
import io.esmetrics.adapter.observability.PromQl.Selector;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard of k8s/components/monitoring is a dashboard Grafana loads as it is: valid JSON, unique panel
 * ids, a layout without overlaps, and every query on the chosen data source and adapter. What its queries read is
 * checked against a real scrape by {@link MonitoringQueriesTest}.
 */
class GrafanaDashboardTest {

    private static final int GRID_WIDTH = 24;

    private final JsonNode dashboard = read();

    @Test
    void isAProvisionableDashboardWithAFixedUid() {
        assertThat(dashboard.path("uid").asText()).isEqualTo("es-metrics-adapter");
        assertThat(dashboard.path("title").asText()).isNotBlank();
        assertThat(dashboard.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(36);
        assertThat(dashboard.has("id")).as("an id is Grafana's own, per instance").isFalse();
        assertThat(variables()).contains("datasource", "job", "namespace", "pod", "metric");
    }

    @Test
    void givesEveryPanelAUniqueIdATitleAndADescription() {
        Set<Integer> ids = new HashSet<>();

        for (JsonNode panel : panels()) {
            assertThat(ids.add(panel.path("id").asInt())).as("id of " + panel.path("title")).isTrue();
            assertThat(panel.path("title").asText()).isNotBlank();
            if (!panel.path("type").asText().equals("row")) {
                assertThat(panel.path("description").asText()).as(panel.path("title").asText()).isNotBlank();
                assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
            }
        }
    }

    @Test
    void laysOutPanelsWithinTheGridWithoutOverlaps() {
        List<JsonNode> placed = new ArrayList<>();

        for (JsonNode panel : panels()) {
            JsonNode position = panel.path("gridPos");
            assertThat(position.path("x").asInt() + position.path("w").asInt()).as(panel.path("title").asText()).isLessThanOrEqualTo(GRID_WIDTH);
            assertThat(position.path("h").asInt()).isPositive();
            for (JsonNode other : placed) {
                assertThat(overlap(position, other.path("gridPos")))
                        .as(panel.path("title").asText() + " overlaps " + other.path("title").asText()).isFalse();
            }
            placed.add(panel);
        }
    }

    @Test
    void queriesTheChosenDataSource() {
        for (JsonNode panel : panels()) {
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            assertThat(panel.path("datasource").path("uid").asText()).as(panel.path("title").asText()).isEqualTo("${datasource}");
            panel.path("targets").forEach(target ->
                    assertThat(target.path("datasource").path("uid").asText()).as(panel.path("title").asText()).isEqualTo("${datasource}"));
        }
    }

    /** A second adapter (another namespace, another Prometheus job) must not add to this one's figures. */
    @Test
    void scopesEverySeriesToTheChosenJobAndNamespace() {
        List<String> unscoped = new ArrayList<>();

        for (Query query : MonitoringQueries.dashboard()) {
            if (query.source().startsWith("dashboard variable")) {
                continue; // the variables choose the job and namespace
            }
            PromQl.namesWithoutMatchers(query.expression()).forEach(name -> unscoped.add(query.source() + ": " + name));
            for (Selector selector : PromQl.selectors(query.expression())) {
                List<LabelMatcher> matchers = selector.matchers();
                if (!matchers.contains(new LabelMatcher("job", "=", "$job")) || !matchers.contains(new LabelMatcher("namespace", "=", "$namespace"))) {
                    unscoped.add(query.source() + ": " + selector.metric());
                }
            }
        }

        assertThat(unscoped).isEmpty();
    }

    private List<JsonNode> panels() {
        List<JsonNode> panels = new ArrayList<>();
        dashboard.path("panels").forEach(panel -> {
            panels.add(panel);
            panel.path("panels").forEach(panels::add);
        });
        return panels;
    }

    private List<String> variables() {
        List<String> names = new ArrayList<>();
        dashboard.path("templating").path("list").forEach(variable -> names.add(variable.path("name").asText()));
        return names;
    }

    private static boolean overlap(JsonNode a, JsonNode b) {
        return a.path("x").asInt() < b.path("x").asInt() + b.path("w").asInt() && b.path("x").asInt() < a.path("x").asInt() + a.path("w").asInt()
                && a.path("y").asInt() < b.path("y").asInt() + b.path("h").asInt() && b.path("y").asInt() < a.path("y").asInt() + a.path("h").asInt();
    }

    private static JsonNode read() {
        try {
            return new ObjectMapper().readTree(MonitoringQueries.DASHBOARD.toFile());
        } catch (IOException e) {
            throw new AssertionError("the dashboard is not valid JSON: " + e.getMessage(), e);
        }
    }
}
