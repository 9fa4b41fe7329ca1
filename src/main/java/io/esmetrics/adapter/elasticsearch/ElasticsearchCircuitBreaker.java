package io.esmetrics.adapter.elasticsearch;

import io.esmetrics.adapter.resilience.CircuitBreaker;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/** The one breaker in front of Elasticsearch, shared by every search and shown by {@link ElasticsearchMeters}. */
@Singleton
class ElasticsearchCircuitBreaker {

    @Produces
    @Singleton
    CircuitBreaker breaker(ElasticsearchConfig config, Clock clock) {
        return new CircuitBreaker("Elasticsearch", "searches", config.circuitBreaker(), clock);
    }
}
