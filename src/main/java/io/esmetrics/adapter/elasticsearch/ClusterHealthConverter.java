package io.esmetrics.adapter.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import io.esmetrics.adapter.provider.BackendUnavailableException;
import io.esmetrics.adapter.provider.MetricComputation;
import io.esmetrics.adapter.provider.MetricValue;
import io.esmetrics.adapter.rules.ClusterHealthRule;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Turns {@code GET _cluster/health} into the value of {@value ClusterHealthRule#NAME}: 1 while a shard copy is
 * missing or moving, else 0.
 * <ul>
 * <li>Not {@code green}: some copy is unassigned (yellow: a replica; red: a primary), delayed ones included (a node
 * that just left makes its replicas {@code delayed_unassigned} and the cluster yellow). Removing a node then could
 * remove the last copy of a shard. The counts {@code unassigned_shards} and {@code delayed_unassigned_shards} are
 * therefore not read on their own: neither is ever above 0 while the cluster is green.</li>
 * <li>{@code relocating_shards}: copies moving between nodes, e.g. off a node that is leaving, with the cluster green
 * all along: the next node must not leave before they arrive.</li>
 * <li>{@code initializing_shards}: copies being built; counted although the status already covers them (an
 * initializing copy is an unassigned one that found a node), so that the rule reads as it is meant.</li>
 * </ul>
 * An answer without a known status is no answer: never read as settled.
 */
final class ClusterHealthConverter {

    static final String PATH = "/_cluster/health";
    /** What the converter reads, and what explains it to a person reading the request's answer. */
    private static final String FILTER_PATH = "status,relocating_shards,initializing_shards,unassigned_shards,"
            + "delayed_unassigned_shards,number_of_data_nodes";

    private ClusterHealthConverter() {
    }

    static String metricName() {
        return ClusterHealthRule.NAME;
    }

    /**
     * {@code master_timeout}: a node that knows no master answers 503 after it, rather than holding the adapter's
     * connection until the client's socket timeout.
     */
    static Map<String, String> parameters(Duration masterTimeout) {
        Map<String, String> parameters = new TreeMap<>();
        parameters.put("filter_path", FILTER_PATH);
        parameters.put("master_timeout", masterTimeout.toMillis() + "ms");
        return parameters;
    }

    /** The request as a person would send it by hand (Kibana Dev Tools, curl). */
    static MetricComputation.BackendRequest byHand(Duration masterTimeout) {
        String path = PATH + "?" + parameters(masterTimeout).entrySet().stream()
                .map(parameter -> parameter.getKey() + "=" + parameter.getValue()).collect(Collectors.joining("&"));
        return new MetricComputation.BackendRequest("GET", path, null, "GET " + path);
    }

    static MetricValue convert(JsonNode health, Instant at) {
        String status = health.path("status").asText("");
        boolean unsettled = switch (status) {
            case "green" -> health.path("relocating_shards").asInt(0) > 0 || health.path("initializing_shards").asInt(0) > 0;
            case "yellow", "red" -> true;
            default -> throw new BackendUnavailableException("Elasticsearch answered the cluster health request for metric "
                    + ClusterHealthRule.NAME + " without a known status" + (status.isEmpty() ? "" : " (" + status + ")"));
        };
        return new MetricValue(ClusterHealthRule.NAME, Map.of(), unsettled ? BigDecimal.ONE : BigDecimal.ZERO, at,
                Optional.empty());
    }
}
