package io.esmetrics.adapter.provider;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * How the backend computes one query's answer, as {@code explain=true} shows it; gathered without computing it.
 *
 * @param acrossNamespaces whether the refresh computes this answer with those of every other namespace asking, in one
 *                       search; set in front of the backend, which only knows whether it can
 * @param request        the backend request that computes exactly this answer, ready to be sent by hand
 * @param requestProblem why the backend could not compute it now, found while preparing {@code request}
 * @param freshness      what the backend knows of the data's arrival, if it watches it
 * @param circuit        the state of the circuit breaker in front of the backend: {@code closed}, {@code open},
 *                       {@code half-open}
 * @param computedBy     how the request computes the answer, in a sentence, where the backend says it better than a
 *                       search of events would be described (the cluster health metric)
 */
public record MetricComputation(String backend, boolean acrossNamespaces, Optional<BackendRequest> request,
        Optional<String> requestProblem, Optional<DataFreshness> freshness, String circuit, Optional<String> computedBy) {

    /** A search of events, described by the metric's rule. */
    public MetricComputation(String backend, boolean acrossNamespaces, Optional<BackendRequest> request,
            Optional<String> requestProblem, Optional<DataFreshness> freshness, String circuit) {
        this(backend, acrossNamespaces, request, requestProblem, freshness, circuit, Optional.empty());
    }

    /** The same, saying whether the answer is computed across namespaces. */
    public MetricComputation acrossNamespaces(boolean across) {
        return new MetricComputation(backend, across, request, requestProblem, freshness, circuit, computedBy);
    }

    /** A request to the backend: what a person would type in its console (Kibana Dev Tools for Elasticsearch). */
    public record BackendRequest(String method, String path, JsonNode body, String console) {
    }

    /**
     * When the backend last looked for the newest event of the metric's data, and what it found.
     *
     * @param newestEvent   empty when there was no event within the look-up's reach
     * @param newestArrival when the newest event arrived, where the pipeline stamps arrivals
     * @param watermark     the newest event time that has arrived, where windows end
     * @param lag           how long before the look-up the pipeline last delivered (by arrival where known)
     * @param watermarkLag  how far the watermark was behind the look-up
     * @param windowEnd     where the window of a windowed aggregation ends now
     * @param stalledAfter  how long the pipeline may deliver nothing before it counts as stalled; zero: never
     * @param problem       why the data is not current (stalled pipeline, no index), if it is not
     */
    public record DataFreshness(Instant checkedAt, Optional<Instant> newestEvent, Optional<Instant> newestArrival,
            Optional<Instant> watermark, Optional<Duration> lag, Optional<Duration> watermarkLag, Optional<Instant> windowEnd, Duration stalledAfter,
            Optional<String> problem) {
    }
}
