package io.esmetrics.adapter.elasticsearch;

import io.esmetrics.adapter.resilience.CircuitBreaker;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * What Elasticsearch costs and how it fails, by metric name (bounded: only declared metrics are searched).
 * Request latency and outcome are timed by {@link SearchClient}; the circuit state is a gauge here.
 */
@Startup
@ApplicationScoped
class ElasticsearchMeters {

    private final MeterRegistry registry;

    ElasticsearchMeters(MeterRegistry registry, CircuitBreaker breaker) {
        this.registry = registry;
        Gauge.builder("esmetrics.elasticsearch.circuit.state", () -> breaker.state().ordinal())
                .description("Circuit breaker in front of Elasticsearch: 0 closed, 1 open, 2 half-open")
                .register(registry);
    }

    /** The time Elasticsearch itself reports for a search, whatever the network adds. */
    void took(String metricName, JsonNode response) {
        JsonNode took = response.path("took");
        if (took.canConvertToLong()) {
            registry.timer("esmetrics.elasticsearch.took", "metric", metricName)
                    .record(java.time.Duration.ofMillis(took.asLong()));
        }
    }

    void failed(String metricName) {
        registry.counter("esmetrics.elasticsearch.failures", "metric", metricName).increment();
    }
}
