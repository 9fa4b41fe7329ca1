package io.esmetrics.adapter.cache;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * Seconds instead of minutes: refresh every 300 ms, a 5 s staleness budget (room for a loaded CI machine to
 * observe the stale value before the 503), short timeouts and pauses.
 */
public final class FastRefreshProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "adapter.cache.refresh-interval", "300ms",
                "adapter.cache.max-value-age", "5s",
                "adapter.cache.min-query-interval", "100ms",
                "adapter.elasticsearch.search-timeout", "1s",
                "quarkus.elasticsearch.socket-timeout", "1500ms",
                "adapter.elasticsearch.circuit-breaker.initial-pause", "200ms",
                "adapter.elasticsearch.circuit-breaker.max-pause", "1s",
                "adapter.elasticsearch.ingest-lag-interval", "1h",
                "adapter.rules.files", "src/test/resources/test-metrics.yaml,src/test/resources/fault-metrics.yaml");
    }
}
