package io.esmetrics.adapter.rules;

import com.fasterxml.jackson.annotation.JsonValue;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** How the documents of a metric become a number. */
// Read by Jackson through reflection, which a native image must be told about.
@RegisterForReflection
public enum Aggregation {
    /** Matching documents per second over the window. */
    RATE,
    /** Matching documents in the window. */
    COUNT,
    /** Sum over series of each series' most recent value not older than the staleness limit (a gauge). */
    LATEST,
    /** Sum of a field over the window. */
    SUM,
    /** Average of a field over the window. */
    AVG,
    /** Minimum of a field over the window. */
    MIN,
    /** Maximum of a field over the window. */
    MAX,
    /**
     * A percentile of a field's values over the window (e.g. the 95th of request durations), as the engine estimates it
     * (TDigest). Percentiles do not add up: one value over every document the selector matches.
     */
    PERCENTILE,
    /**
     * The share of the window's events that also match a {@code numerator} filter (e.g. 5xx responses of all
     * requests), counted in one search; no event in the window reads 0. Shares do not add up: one value over every
     * document the selector matches.
     */
    RATIO;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Aggregation> fromWireName(String name) {
        return Arrays.stream(values()).filter(a -> a.wireName().equals(name)).findFirst();
    }

    /** Whether the aggregation needs a {@code percent}. */
    public boolean readsPercent() {
        return this == PERCENTILE;
    }

    /** Whether the aggregation needs a {@code numerator}. */
    public boolean readsNumerator() {
        return this == RATIO;
    }

    /** Whether the value is read from a document field (and so {@code field} is required). */
    public boolean readsField() {
        return this != RATE && this != COUNT && this != RATIO;
    }

    /** Whether the documents are taken from a trailing window (all but {@link #LATEST}). */
    public boolean usesWindow() {
        return this != LATEST;
    }

    /**
     * Whether per-series values add up to the total. The HPA sums every item it receives, so only additive
     * aggregations are split into one item per series; the others answer one item with the overall value.
     */
    public boolean additive() {
        return this == RATE || this == COUNT || this == LATEST || this == SUM;
    }
}
