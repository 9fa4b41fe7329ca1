package io.esmetrics.adapter.provider;

import io.esmetrics.adapter.selector.LabelSelector;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The one seam between the Kubernetes API surface and a metrics backend, as in custom-metrics-apiserver's
 * {@code ExternalMetricsProvider}: the HTTP layer knows nothing of Elasticsearch, the backend nothing of HTTP.
 */
public interface ExternalMetricsProvider {

    /**
     * The current value of {@code metricName} for the HPA in {@code namespace}, as series whose values add
     * up to the total for {@code selector}. Never empty: no matching data is one series of value zero.
     *
     * @throws MetricNotFoundException      no such metric is visible from {@code namespace}
     * @throws LabelNotAllowedException     the selector uses a label the metric does not declare
     * @throws BackendUnavailableException  the backend could not give a trustworthy answer
     */
    List<MetricValue> values(String namespace, String metricName, LabelSelector selector);

    /**
     * The answer {@link #values(String, String, LabelSelector)} would give, if it is at hand in memory; empty
     * when finding it needs the backend. Never blocks: the HTTP layer calls it on the event loop and calls
     * {@code values} on a worker thread only when this is empty.
     */
    default Optional<List<MetricValue>> valuesInMemory(String namespace, String metricName, LabelSelector selector) {
        return Optional.empty();
    }

    /**
     * Whether every answer of this metric in this namespace is a selection of its namespace-wide series (the answer
     * for the empty selector, {@link SeriesSelection#select}), exactly as a search with the selector would answer:
     * then one cached answer serves every selector, and a selector nobody asked before costs no search. In-memory
     * and non-blocking.
     *
     * @throws MetricNotFoundException  no such metric is visible from {@code namespace}
     * @throws LabelNotAllowedException the selector uses a label the metric does not declare
     */
    default boolean answersFromNamespaceSeries(String namespace, String metricName, LabelSelector selector) {
        return false;
    }

    /**
     * Whether the answers for the empty selector of this metric in many namespaces are computed together, by one
     * search, when they come in one batch: the cache's refresh then hands them over in one batch, however many.
     */
    default boolean refreshesAcrossNamespaces(String metricName) {
        return false;
    }

    /**
     * Answers many queries at once, in order. A backend that can batch (one Elasticsearch {@code _msearch})
     * overrides this; a failure of one query is its answer, not an exception.
     */
    default List<MetricAnswer> values(List<MetricQuery> queries) {
        List<MetricAnswer> answers = new ArrayList<>(queries.size());
        for (MetricQuery query : queries) {
            try {
                answers.add(MetricAnswer.of(values(query.namespace(), query.metricName(), query.selector())));
            } catch (RuntimeException e) {
                answers.add(MetricAnswer.failed(e));
            }
        }
        return answers;
    }

    /**
     * Why the newest attempt to compute this answer failed, while an older value is still served within its
     * staleness budget (or no value at all); empty when the answer is current or nothing is known of it.
     */
    default Optional<BackendUnavailableException> lastFailure(String namespace, String metricName, LabelSelector selector) {
        return Optional.empty();
    }

    /**
     * What this provider holds in memory for the query, for {@code explain=true}: empty when it holds nothing. Never
     * counts as asking, never creates or changes what is held.
     */
    default Optional<HeldAnswer> held(String namespace, String metricName, LabelSelector selector) {
        return Optional.empty();
    }

    /**
     * The answer {@link #values(String, String, LabelSelector)} would compute now, computed without keeping it, for
     * {@code explain=true}. Same exceptions as {@code values}.
     *
     * @throws TooManySearchesException the namespace is over its share of searches
     */
    default List<MetricValue> computeWithoutKeeping(String namespace, String metricName, LabelSelector selector) {
        return values(namespace, metricName, selector);
    }

    /**
     * How the backend computes the query's answer, for {@code explain=true}; never a search of the metric itself.
     *
     * @throws MetricNotFoundException  no such metric is visible from {@code namespace}
     * @throws LabelNotAllowedException the selector uses a label the metric does not declare
     */
    MetricComputation describe(String namespace, String metricName, LabelSelector selector);

    /** The metric names to list in discovery. */
    Collection<String> metricNames();
}
