package io.esmetrics.adapter.rules;

import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The metrics this adapter serves: the built-ins, then the definitions files, later ones replacing earlier;
 * then the metrics namespaces declare for themselves, which never replace a configured one.
 */
@Startup
@ApplicationScoped
public class MetricRules {

    static final String BUILTINS_RESOURCE = "builtin-metrics.yaml";

    private final Map<String, MetricRule> rules;
    private final NamespacedRules namespaced;

    public MetricRules(RulesConfig config) {
        this(config, NamespacedRules.NONE);
    }

    @Inject
    public MetricRules(RulesConfig config, NamespacedRules namespaced) {
        this.namespaced = namespaced;
        Map<String, MetricRule> loaded = new TreeMap<>();
        if (config.builtins()) {
            MetricDefinitionsParser.parse("built-in", builtins()).forEach(rule -> loaded.put(rule.name(), rule));
            loaded.put(ClusterHealthRule.NAME, ClusterHealthRule.RULE);
        }
        for (Path file : config.files().orElse(List.of())) {
            for (MetricRule rule : MetricDefinitionsParser.parse(file.toString(), read(file))) {
                MetricRule replaced = loaded.put(rule.name(), rule);
                if (replaced != null) {
                    Log.infof("Metric %s from %s replaces the one from %s", rule.name(), file, replaced.source());
                }
            }
        }
        this.rules = Map.copyOf(loaded);
        Log.infof("Serving %d metrics: %s", rules.size(), String.join(", ", new TreeMap<>(rules).keySet()));
    }

    /** The metric {@code name} as seen from {@code namespace}. */
    public Optional<MetricRule> find(String namespace, String name) {
        return configuredRule(name).or(() -> namespaced.find(namespace, name));
    }

    /** Every metric name, for discovery. */
    public Collection<String> names() {
        TreeSet<String> names = new TreeSet<>(rules.keySet());
        names.addAll(namespaced.names());
        return names;
    }

    /**
     * The metrics of the configuration (built-ins and definitions files) read from events, without those namespaces
     * declare: the cluster health metric reads no events, and has no ingest to watch.
     */
    public Collection<MetricRule> configuredRules() {
        return rules.values().stream().filter(rule -> !ClusterHealthRule.is(rule)).toList();
    }

    /** Whether the configuration (built-ins or definitions files) declares {@code name}: such a metric wins a clash. */
    public boolean configured(String name) {
        return rules.containsKey(name);
    }

    /** The metric {@code name} of the configuration, the same in every namespace; empty when only namespaces declare it. */
    public Optional<MetricRule> configuredRule(String name) {
        return Optional.ofNullable(rules.get(name));
    }

    static String builtins() {
        try (InputStream in = MetricRules.class.getClassLoader().getResourceAsStream(BUILTINS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(BUILTINS_RESOURCE + " is missing from the application");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new InvalidMetricDefinitionException(file.toString(), "cannot read the file: " + e);
        }
    }
}
