package io.esmetrics.adapter.elasticsearch;

import io.esmetrics.adapter.provider.BackendUnavailableException;
import io.esmetrics.adapter.provider.MetricAnswer;
import io.esmetrics.adapter.provider.MetricComputation;
import io.esmetrics.adapter.provider.MetricValue;
import io.esmetrics.adapter.provider.MetricsBackend;
import io.esmetrics.adapter.provider.SeriesQuery;
import io.esmetrics.adapter.resilience.CircuitBreaker;
import io.esmetrics.adapter.rules.MetricRule;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;
import java.time.Clock;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Answers the cluster health metric ({@link io.esmetrics.adapter.rules.ClusterHealthRule}) with one
 * {@code GET _cluster/health}: the same answer for every namespace and selector (it has no labels), so a batch of any
 * size costs one request. Behind the cache like every metric: single flight, refresh, staleness budget, then 503.
 */
@ApplicationScoped
@Typed(ClusterHealthBackend.class) // Injected as itself by ElasticsearchBackend, the MetricsBackend everyone else gets.
class ClusterHealthBackend implements MetricsBackend {

    private static final String COMPUTED_BY = "One cluster health request for every namespace that asks: 1 while the"
            + " cluster is not green (a shard copy is unassigned) or shards are relocating or initializing, else 0. Used"
            + " with a Value target of 1, it holds an HPA's replicas while Elasticsearch is still copying shards.";

    private final SearchClient client;
    private final ElasticsearchConfig config;
    private final ElasticsearchMeters meters;
    private final CircuitBreaker breaker;
    private final Clock clock;

    ClusterHealthBackend(SearchClient client, ElasticsearchConfig config, ElasticsearchMeters meters, CircuitBreaker breaker,
            Clock clock) {
        this.client = client;
        this.config = config;
        this.meters = meters;
        this.breaker = breaker;
        this.clock = clock;
    }

    @Override
    public List<MetricValue> answer(SeriesQuery query) {
        try {
            return List.of(ClusterHealthConverter.convert(client.clusterHealth(config.searchTimeout()), clock.instant()));
        } catch (BackendUnavailableException e) {
            meters.failed(query.rule().name());
            throw e;
        }
    }

    @Override
    public List<MetricAnswer> answer(List<SeriesQuery> queries) {
        if (queries.isEmpty()) {
            return List.of();
        }
        MetricAnswer answer;
        try {
            answer = MetricAnswer.of(answer(queries.get(0)));
        } catch (BackendUnavailableException e) {
            answer = MetricAnswer.failed(e);
        }
        return Collections.nCopies(queries.size(), answer);
    }

    /** One request answers every namespace: the health is the cluster's. */
    @Override
    public boolean answersAcrossNamespaces(MetricRule rule) {
        return true;
    }

    @Override
    public MetricComputation describe(SeriesQuery query) {
        return new MetricComputation("Elasticsearch", false, Optional.of(ClusterHealthConverter.byHand(config.searchTimeout())),
                Optional.empty(), Optional.empty(), breaker.state().wireName(),
                Optional.of(COMPUTED_BY));
    }
}
