package io.esmetrics.adapter.observability;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The samples of a Prometheus text exposition ({@code /q/metrics}) by name, each with its labels: what Prometheus
 * stores of a scrape, before it adds the target's labels (job, namespace, pod, instance).
 */
final class PrometheusScrape {

    private final Map<String, List<Map<String, String>>> samples;

    private PrometheusScrape(Map<String, List<Map<String, String>>> samples) {
        this.samples = samples;
    }

    static PrometheusScrape parse(String text) {
        Map<String, List<Map<String, String>>> samples = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            Map<String, String> labels = new LinkedHashMap<>();
            String name;
            if (brace >= 0 && brace < space) {
                name = line.substring(0, brace);
                readLabels(line, brace + 1, labels);
            } else {
                name = line.substring(0, space);
            }
            samples.computeIfAbsent(name, key -> new ArrayList<>()).add(labels);
        }
        return new PrometheusScrape(samples);
    }

    Set<String> names() {
        return new TreeSet<>(samples.keySet());
    }

    boolean has(String name) {
        return samples.containsKey(name);
    }

    /** The label sets of the samples of {@code name}; empty when there are none. */
    List<Map<String, String>> labelSets(String name) {
        return samples.getOrDefault(name, List.of());
    }

    /** The label names any sample of {@code name} has. */
    Set<String> labelNames(String name) {
        Set<String> names = new TreeSet<>();
        labelSets(name).forEach(labels -> names.addAll(labels.keySet()));
        return names;
    }

    /** {@code name="value", ...}: values are quoted, with \", \\ and \n escaped. */
    private static void readLabels(String line, int from, Map<String, String> labels) {
        int i = from;
        while (line.charAt(i) != '}') {
            int equals = line.indexOf('=', i);
            String label = line.substring(i, equals).trim();
            StringBuilder value = new StringBuilder();
            i = equals + 2; // past ="
            while (line.charAt(i) != '"') {
                char c = line.charAt(i++);
                if (c == '\\') {
                    char escaped = line.charAt(i++);
                    value.append(escaped == 'n' ? '\n' : escaped);
                } else {
                    value.append(c);
                }
            }
            labels.put(label, value.toString());
            i++; // past the closing quote
            if (line.charAt(i) == ',') {
                i++;
            }
        }
    }
}
