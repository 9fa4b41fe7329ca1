package io.esmetrics.adapter.provider;

import io.esmetrics.adapter.selector.LabelSelector;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The answer for one selector, picked in memory from every series of a metric in a namespace. For a metric whose
 * series add up (see {@link io.esmetrics.adapter.rules.MetricRule#splitsIntoSeries()}) it is exactly what a search with
 * that selector answers, so any number of distinct selectors costs one search, not one each.
 */
public final class SeriesSelection {

    private SeriesSelection() {
    }

    /**
     * The series of {@code everySeries} that {@code selector} matches, or, when none does, one zero labelled with what
     * the selector pins, as a search that matched nothing answers.
     *
     * @param everySeries the answer for the empty selector: never empty (no data is one zero)
     */
    public static List<MetricValue> select(List<MetricValue> everySeries, LabelSelector selector) {
        if (selector.isEmpty()) {
            return everySeries;
        }
        List<MetricValue> selected = everySeries.stream().filter(value -> selector.matches(value.labels())).toList();
        if (!selected.isEmpty()) {
            return selected;
        }
        MetricValue any = everySeries.get(0);
        return List.of(zero(any.metricName(), selector, any.timestamp(), any.window()));
    }

    /**
     * No series matched while events arrive: a real zero, labelled with what the selector pinned, because an empty
     * list is an error to the HPA ("no metrics returned") while zero requests really means zero.
     */
    public static MetricValue zero(String metricName, LabelSelector selector, Instant timestamp, Optional<Duration> window) {
        Map<String, String> pinned = selector.pinnedLabels().entrySet().stream()
                .filter(entry -> !entry.getValue().isEmpty())
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        return new MetricValue(metricName, pinned, BigDecimal.ZERO, timestamp, window);
    }
}
