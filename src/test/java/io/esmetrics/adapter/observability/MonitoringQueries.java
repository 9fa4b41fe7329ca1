package io.esmetrics.adapter.observability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Every PromQL expression of the monitoring component: the dashboard's panels and variables, and the alert rules. */
final class MonitoringQueries {

    static final Path COMPONENT = Path.of("k8s", "components", "monitoring");
    static final Path DASHBOARD = COMPONENT.resolve("es-metrics-adapter-dashboard.json");
    static final Path RULES = COMPONENT.resolve("prometheusrule.yaml");

    /** An expression and where it is, for messages. */
    record Query(String source, String expression) {
    }

    /** Grafana's {@code label_values(selector, label)}: the values {@code count by (label) (selector)} has. */
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.+),\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*\\)");

    private MonitoringQueries() {
    }

    static List<Query> all() {
        List<Query> queries = new ArrayList<>(dashboard());
        queries.addAll(rules());
        return queries;
    }

    static List<Query> dashboard() {
        JsonNode dashboard = read(DASHBOARD, new ObjectMapper());
        List<Query> queries = new ArrayList<>();
        dashboard.path("panels").forEach(panel -> addTargets(panel, queries));
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                String query = variable.path("query").isObject() ? variable.path("query").path("query").asText() : variable.path("query").asText();
                Matcher labelValues = LABEL_VALUES.matcher(query);
                if (!labelValues.matches()) {
                    throw new IllegalArgumentException("variable " + variable.path("name").asText() + ": not label_values(...): " + query);
                }
                queries.add(new Query("dashboard variable " + variable.path("name").asText(),
                        "count by (" + labelValues.group(2) + ") (" + labelValues.group(1) + ")"));
            }
        }
        return queries;
    }

    static List<Query> rules() {
        JsonNode rule = read(RULES, new ObjectMapper(new YAMLFactory()));
        List<Query> queries = new ArrayList<>();
        for (JsonNode group : rule.path("spec").path("groups")) {
            for (JsonNode alert : group.path("rules")) {
                String name = alert.has("alert") ? "alert " + alert.path("alert").asText() : "record " + alert.path("record").asText();
                queries.add(new Query(name + " (" + alert.path("labels").path("severity").asText() + ")", alert.path("expr").asText()));
            }
        }
        return queries;
    }

    /** A row's panels are beside it, or inside it when it is collapsed. */
    private static void addTargets(JsonNode panel, List<Query> queries) {
        panel.path("panels").forEach(inner -> addTargets(inner, queries));
        for (JsonNode target : panel.path("targets")) {
            queries.add(new Query("dashboard panel \"" + panel.path("title").asText() + "\" " + target.path("refId").asText(),
                    target.path("expr").asText()));
        }
    }

    private static JsonNode read(Path file, ObjectMapper mapper) {
        try {
            return mapper.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
