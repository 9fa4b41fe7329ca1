package io.esmetrics.adapter.rules;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The built-in metric read from Elasticsearch's cluster health instead of from events: {@value #NAME} is 1 while a
 * shard copy is missing or moving (the cluster is not green, or shards are relocating or initializing), else 0. The
 * Elasticsearch HPA adds it as a second metric with a {@code Value} target of 1, so that it holds the current replica
 * count while the cluster is still copying and has no opinion otherwise (docs/design.md, "Scale down only when no copy
 * can be lost").
 * <p>
 * Its rule is what discovery, the cache and {@code explain=true} know of it: cluster-scoped, no labels, no index and no
 * time field (it reads none), the current state ({@code latest}) and no stall detection (no events to stall). Which
 * request computes it is the backend's business: the Elasticsearch backend tells it apart by this rule alone, so a
 * definitions file that declares a metric of the same name replaces it with an ordinary one, as it replaces any
 * built-in.
 */
public final class ClusterHealthRule {

    public static final String NAME = "elasticsearch_shards_unsettled";

    /**
     * How old a held value may be: the cache's budget for this metric (application.properties) says the same. A value
     * of 0 that outlives the health it was read from could let the HPA remove a node while shards move.
     */
    public static final Duration STALENESS = Duration.ofSeconds(30);

    public static final MetricRule RULE = new MetricRule(NAME, null, null, Optional.empty(), Map.of(), Map.of(),
            Aggregation.LATEST, Optional.empty(), Optional.empty(), Optional.empty(), Duration.ZERO, Duration.ZERO,
            Duration.ZERO, STALENESS, Duration.ZERO, new TreeMap<>(), "built-in: Elasticsearch's cluster health (GET _cluster/health), not events");

    private ClusterHealthRule() {
    }

    /** Whether {@code rule} is this metric, and not one a definitions file declared under its name. */
    public static boolean is(MetricRule rule) {
        return RULE.equals(rule);
    }
}
