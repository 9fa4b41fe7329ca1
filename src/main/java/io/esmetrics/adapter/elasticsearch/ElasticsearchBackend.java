package io.esmetrics.adapter.elasticsearch;

import io.esmetrics.adapter.provider.MetricAnswer;
import io.esmetrics.adapter.provider.MetricComputation;
import io.esmetrics.adapter.provider.MetricValue;
import io.esmetrics.adapter.provider.MetricsBackend;
import io.esmetrics.adapter.provider.SeriesQuery;
import io.esmetrics.adapter.rules.ClusterHealthRule;
import io.esmetrics.adapter.rules.MetricRule;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link MetricsBackend} of the adapter: Elasticsearch, which answers a metric by what it is computed from. A
 * metric of events is searched ({@link ElasticsearchMetricsProvider}); the cluster health metric is read from
 * {@code _cluster/health} ({@link ClusterHealthBackend}). The one place that tells them apart: the cache, discovery and
 * explain treat both alike.
 */
@ApplicationScoped
class ElasticsearchBackend implements MetricsBackend {

    private final ElasticsearchMetricsProvider events;
    private final ClusterHealthBackend health;

    ElasticsearchBackend(ElasticsearchMetricsProvider events, ClusterHealthBackend health) {
        this.events = events;
        this.health = health;
    }

    private MetricsBackend of(MetricRule rule) {
        return ClusterHealthRule.is(rule) ? health : events;
    }

    @Override
    public List<MetricValue> answer(SeriesQuery query) {
        return of(query.rule()).answer(query);
    }

    /** Each backend answers its own queries in one batch; the answers come back in the order asked. */
    @Override
    public List<MetricAnswer> answer(List<SeriesQuery> queries) {
        Map<MetricsBackend, List<Integer>> positions = new LinkedHashMap<>();
        for (int i = 0; i < queries.size(); i++) {
            positions.computeIfAbsent(of(queries.get(i).rule()), backend -> new ArrayList<>()).add(i);
        }
        MetricAnswer[] answers = new MetricAnswer[queries.size()];
        positions.forEach((backend, own) -> {
            List<MetricAnswer> answered = backend.answer(own.stream().map(queries::get).toList());
            for (int j = 0; j < own.size(); j++) {
                answers[own.get(j)] = answered.get(j);
            }
        });
        return List.of(answers);
    }

    @Override
    public boolean answersAcrossNamespaces(MetricRule rule) {
        return of(rule).answersAcrossNamespaces(rule);
    }

    @Override
    public MetricComputation describe(SeriesQuery query) {
        return of(query.rule()).describe(query);
    }
}
