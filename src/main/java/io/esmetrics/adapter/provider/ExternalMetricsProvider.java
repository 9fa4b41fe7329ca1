package io.esmetrics.adapter.provider;

import io.esmetrics.adapter.selector.LabelSelector;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The one seam between the Kubernetes API surface and the metrics, as in custom-metrics-apiserver's
 * {@code ExternalMetricsProvider}: the HTTP layer knows nothing of Elasticsearch, the backend nothing of HTTP. Its
 * implementation is the cache, in front of a {@link MetricsBackend}.
 */
public interface ExternalMetricsProvider {

    /**
     * The current value of {@code metricName} for the HPA in {@code namespace}, as series whose values add
     * up to the total for {@code selector}. Never empty: no matching data is one series of value zero.
     *
     * @throws MetricNotFoundException      no such metric is visible from {@code namespace}
     * @throws LabelNotAllowedException     the selector uses a label the metric does not declare
     * @throws BackendUnavailableException  the backend could not give a trustworthy answer
     * @throws TooManySearchesException     the namespace is over its share of searches
     */
    List<MetricValue> values(String namespace, String metricName, LabelSelector selector);

    /**
     * The answer {@link #values(String, String, LabelSelector)} would give, if it is at hand in memory; empty
     * when finding it needs the backend. Never blocks: the HTTP layer calls it on the event loop and calls
     * {@code values} on a worker thread only when this is empty. Same exceptions for invalid requests.
     */
    Optional<List<MetricValue>> valuesInMemory(String namespace, String metricName, LabelSelector selector);

    /**
     * What is held in memory for the query, for {@code explain=true} and the ElasticsearchMetric statuses: empty when
     * nothing is. Never counts as asking, never creates or changes what is held.
     */
    Optional<HeldAnswer> held(String namespace, String metricName, LabelSelector selector);

    /**
     * The answer {@link #values(String, String, LabelSelector)} would compute now, computed without keeping it, for
     * {@code explain=true} and the status of an ElasticsearchMetric nobody reads. Same exceptions as {@code values}.
     */
    List<MetricValue> computeWithoutKeeping(String namespace, String metricName, LabelSelector selector);

    /**
     * How the backend computes the query's answer, for {@code explain=true}; never a search of the metric itself,
     * but look-ups that count against the namespace's share of searches.
     *
     * @throws TooManySearchesException the namespace has used its share of searches
     * @throws MetricNotFoundException  no such metric is visible from {@code namespace}
     * @throws LabelNotAllowedException the selector uses a label the metric does not declare
     */
    MetricComputation describe(String namespace, String metricName, LabelSelector selector);

    /** The metric names to list in discovery. */
    Collection<String> metricNames();
}
