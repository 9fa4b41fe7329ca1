package io.esmetrics.adapter.cache;

import io.esmetrics.adapter.selector.LabelSelector;
import io.esmetrics.adapter.selector.Requirement;
import java.util.Comparator;
import java.util.stream.Collectors;

/**
 * What a cached value answers. The selector is normalized (requirements and their values sorted), so
 * {@code b=1,a in (y,x)} and {@code a in (x,y),b=1} from two HPAs share one entry and one search. Public because the
 * activation of an answer (activation.Activations) is kept under the same name.
 */
public record SeriesKey(String namespace, String metricName, String selector) {

    public static SeriesKey of(String namespace, String metricName, LabelSelector selector) {
        String normalized = selector.requirements().stream()
                .map(SeriesKey::normalized)
                .sorted(Comparator.naturalOrder())
                .collect(Collectors.joining(","));
        return new SeriesKey(namespace, metricName, normalized);
    }

    private static String normalized(Requirement requirement) {
        return new Requirement(requirement.key(), requirement.operator(),
                requirement.values().stream().distinct().sorted().toList()).toString();
    }
}
