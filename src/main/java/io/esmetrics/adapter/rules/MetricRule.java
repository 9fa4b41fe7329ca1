package io.esmetrics.adapter.rules;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;

/**
 * A validated metric definition, ready to be turned into queries.
 *
 * @param namespaceField absent for cluster-scoped metrics
 * @param numerator      for ratio, the filter of the events counted above the line (on top of {@code filter});
 *                       empty for the others
 * @param field          absent for rate, count and ratio
 * @param activation     absent: values are served as they are
 * @param stalledAfter   the newest event of the indices older than this means a stalled pipeline, not zero load;
 *                       zero: never
 * @param labels         selector label → document field, sorted by label so that queries are stable
 */
public record MetricRule(
        String name,
        String indexPattern,
        String timeField,
        Optional<String> namespaceField,
        Map<String, List<String>> filter,
        Map<String, List<String>> numerator,
        Aggregation aggregation,
        Optional<String> field,
        Optional<Double> percent,
        Optional<Activation> activation,
        Duration window,
        Duration ingestLag,
        Duration settle,
        Duration staleness,
        Duration stalledAfter,
        SortedMap<String, String> labels,
        String source) {

    /** The window reported to the HPA: only rates are "per window". */
    public Optional<Duration> reportedWindow() {
        return aggregation == Aggregation.RATE ? Optional.of(window) : Optional.empty();
    }

    /** How far back from now the documents of one value reach: the window and its lag, or the staleness of latest. */
    public Duration span() {
        return span(aggregation, window, ingestLag, staleness);
    }

    static Duration span(Aggregation aggregation, Duration window, Duration ingestLag, Duration staleness) {
        return aggregation.usesWindow() ? window.plus(ingestLag) : staleness;
    }

    /**
     * Whether an answer is one item per series, which add up to the total (additive aggregations with labels; the
     * HPA sums the items). Then the answer for any selector is the selection of the namespace's series whose labels
     * match, exactly as a search with the selector would find it, given label fields that hold one value per event
     * (the event contract): one answer per namespace serves every selector.
     */
    public boolean splitsIntoSeries() {
        return aggregation.additive() && !labels.isEmpty();
    }

    /**
     * Where the window of a value computed at {@code now} ends (exclusive): {@code ingestLag} before now, and never
     * later than just after the pipeline's watermark (the newest event time that has arrived in the metric's indices,
     * for all namespaces), less {@code settle}. A pipeline that lags then delays the value instead of emptying the end
     * of its window, which would read as less load. A metric that does not detect stalls reads silence as no load, so
     * for it the window always ends {@code ingestLag} before now (docs/design.md, "Windows end at the watermark").
     */
    public Instant windowEnd(Instant now, Optional<Instant> watermark) {
        Instant byLag = now.minus(ingestLag);
        if (!endsWindowsAtWatermark() || watermark.isEmpty()) {
            return byLag;
        }
        // The window's end is exclusive: one millisecond after the watermark counts the newest event itself.
        Instant settled = watermark.get().plusMillis(1).minus(settle);
        return settled.isBefore(byLag) ? settled : byLag;
    }

    /** Whether its windows end at the pipeline's watermark ({@link #windowEnd}): windowed, and detecting stalls. */
    public boolean endsWindowsAtWatermark() {
        return aggregation.usesWindow() && detectsStalls();
    }

    /** Whether silence in the indices beyond {@link #stalledAfter} means a stalled pipeline. */
    public boolean detectsStalls() {
        return !stalledAfter.isZero();
    }
}
