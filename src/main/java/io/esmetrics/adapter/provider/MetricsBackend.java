package io.esmetrics.adapter.provider;

import io.esmetrics.adapter.rules.MetricRule;
import java.util.List;

/**
 * What a metrics backend does: answer series queries. Everything that does not depend on the backend sits in front
 * of it: which rule a metric name means in a namespace and whether a selector uses declared labels
 * ({@link DeclaredMetrics}), which selectors one answer serves ({@link MetricRule#splitsIntoSeries()},
 * {@link SeriesSelection}), what is kept, refreshed and served from memory (the cache). Elasticsearch's is the one
 * implementation; a second backend would be a second implementation, nothing else.
 */
public interface MetricsBackend {

    /**
     * The current series of the query: values that add up to the total for its selector. Never empty: no matching data
     * is one series of value zero.
     *
     * @throws BackendUnavailableException the backend could not give a trustworthy answer
     */
    List<MetricValue> answer(SeriesQuery query);

    /** Many queries at once, in order; a failure of one query is its answer, not an exception. */
    List<MetricAnswer> answer(List<SeriesQuery> queries);

    /**
     * Whether the answers of this rule for the empty selector in many namespaces are computed together, when they
     * come in one batch: the cache's refresh then hands them over in one batch, however many.
     */
    boolean answersAcrossNamespaces(MetricRule rule);

    /** How the backend computes the query's answer, for {@code explain=true}; never a search of the metric itself. */
    MetricComputation describe(SeriesQuery query);
}
