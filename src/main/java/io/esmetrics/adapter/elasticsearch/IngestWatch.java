package io.esmetrics.adapter.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.esmetrics.adapter.provider.BackendUnavailableException;
import io.esmetrics.adapter.rules.MetricRule;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Collectors;

/**
 * Knows, for every set of indices metrics read, when their newest event was, so that a metric is computed only
 * from current data ({@link IngestObservation#problemFor}). A look-up is a {@code max} of the time field, answered
 * from index structures. One that found events stands for {@code adapter.elasticsearch.ingest-lag-interval}; one
 * that found none, or whose events are too old for a metric, is repeated on the next request. The look-ups due are
 * batched into one {@code _msearch}, and concurrent askers share one look-up per set of indices.
 */
@ApplicationScoped
class IngestWatch {

    private final SearchClient client;
    private final SearchRequestFactory requests;
    private final ElasticsearchConfig config;
    private final Clock clock;
    private final ConcurrentMap<EventIndices, IngestObservation> observed = new ConcurrentHashMap<>();
    private final ConcurrentMap<EventIndices, CompletableFuture<IngestObservation>> inFlight = new ConcurrentHashMap<>();
    /**
     * Look-ups whose request failed, not asked again for {@link FieldCapabilities#FAILURE_KEPT}: a failing
     * Elasticsearch costs one look-up per set of indices every few seconds, not one per search batch, miss or
     * explanation. Kept while both the
     * wall time and the injected clock are within that time of the failure: a stopped clock must not keep a failure
     * for good, nor a clock moved on keep one made at another moment.
     */
    private final Cache<EventIndices, IngestObservation> failed = Caffeine.newBuilder()
            .expireAfterWrite(FieldCapabilities.FAILURE_KEPT).maximumSize(10_000).build();

    IngestWatch(SearchClient client, ElasticsearchConfig config, Clock clock) {
        this.client = client;
        this.config = config;
        this.clock = clock;
        this.requests = new SearchRequestFactory(config.searchTimeout(), config.seriesPageSize());
    }

    /**
     * For each rule, the observation of its indices that decides whether its data is current
     * ({@link IngestObservation#problemFor}) and where its window ends ({@link IngestObservation#watermark}). The
     * indices of a rule whose window ends at the watermark are looked up now: a kept observation's watermark, up to
     * {@code ingest-lag-interval} old, would leave out the events that arrived since and make the value later than
     * the pipeline does. The others use what no current observation covers, and look again where a kept one says
     * "no current data": events may have resumed since, and a stalled verdict must not outlive the stall.
     */
    Map<MetricRule, IngestObservation> observations(Collection<MetricRule> rules) {
        Instant now = clock.instant();
        Set<EventIndices> watermarked = rules.stream().filter(MetricRule::endsWindowsAtWatermark).map(EventIndices::of)
                .collect(Collectors.toCollection(LinkedHashSet::new));
        Map<EventIndices, IngestObservation> observations = new LinkedHashMap<>(observe(watermarked, true));
        observations.putAll(observe(rules.stream().map(EventIndices::of).filter(indices -> !watermarked.contains(indices))
                .toList()));
        List<EventIndices> doubtful = rules.stream()
                .filter(rule -> observations.get(EventIndices.of(rule)).checkedAt().isBefore(now))
                .filter(rule -> observations.get(EventIndices.of(rule)).problemFor(rule).isPresent())
                .map(EventIndices::of).distinct().toList();
        if (!doubtful.isEmpty()) {
            observations.putAll(observe(doubtful, true));
        }
        Map<MetricRule, IngestObservation> byRule = new LinkedHashMap<>();
        for (MetricRule rule : rules) {
            byRule.put(rule, observations.get(EventIndices.of(rule)));
        }
        return byRule;
    }

    /** The observation of each set of indices, current at this moment. */
    Map<EventIndices, IngestObservation> observe(Collection<EventIndices> wanted) {
        return observe(wanted, false);
    }

    /** @param again look up even the indices whose observation is still current */
    private Map<EventIndices, IngestObservation> observe(Collection<EventIndices> wanted, boolean again) {
        Instant now = clock.instant();
        Map<EventIndices, IngestObservation> current = new LinkedHashMap<>();
        Map<EventIndices, CompletableFuture<IngestObservation>> mine = new LinkedHashMap<>();
        Map<EventIndices, CompletableFuture<IngestObservation>> others = new LinkedHashMap<>();
        for (EventIndices indices : new LinkedHashSet<>(wanted)) {
            IngestObservation last = observed.get(indices);
            if (!again && last != null && last.currentAt(now, config.ingestLagInterval())) {
                current.put(indices, last);
                continue;
            }
            IngestObservation failure = failed.getIfPresent(indices);
            if (failure != null && now.isBefore(failure.checkedAt().plus(FieldCapabilities.FAILURE_KEPT))) {
                current.put(indices, failure);
                continue;
            }
            CompletableFuture<IngestObservation> claim = new CompletableFuture<>();
            CompletableFuture<IngestObservation> running = inFlight.putIfAbsent(indices, claim);
            if (running == null) {
                mine.put(indices, claim);
            } else {
                others.put(indices, running);
            }
        }
        if (!mine.isEmpty()) {
            lookUp(mine, now);
        }
        // Claims always complete normally: a failed look-up is an observation that says why.
        mine.forEach((indices, result) -> current.put(indices, result.join()));
        others.forEach((indices, result) -> current.put(indices, result.join()));
        return current;
    }

    /** The last look-up of these indices that succeeded, for the ingest lag gauges. */
    Optional<IngestObservation> last(EventIndices indices) {
        return Optional.ofNullable(observed.get(indices));
    }

    private void lookUp(Map<EventIndices, CompletableFuture<IngestObservation>> claims, Instant now) {
        List<EventIndices> all = new ArrayList<>(claims.keySet());
        Duration lookback = config.ingestLagLookback();
        List<IngestObservation> results = new ArrayList<>(all.size());
        // Only a request that failed as a whole (no answer, an error status, the circuit open) is kept: one look-up's
        // error inside an answer (a shard not yet started in a new index, say) passes in a moment, and is asked again.
        boolean requestFailed = true;
        try {
            // One pattern's name in a failure every member reads would show it to the other namespaces of the batch.
            String what = all.size() == 1 ? "the look-up of the newest event of " + all.get(0)
                    : "a batch of " + all.size() + " look-ups of the newest event of metrics' indices";
            List<JsonNode> answers = client.msearch(what, all.stream().map(indices -> requests.newestEvent(indices, now,
                    lookback, config.producerClockSkew(), config.arrivalField())).toList());
            for (int i = 0; i < all.size(); i++) {
                results.add(observation(all.get(i), now, lookback, answers.get(i)));
            }
            requestFailed = false;
        } catch (BackendUnavailableException e) {
            all.forEach(indices -> results.add(IngestObservation.failed(indices, now, lookback, e)));
        } catch (RuntimeException e) {
            Log.errorf(e, "Looking up the newest event of %s failed", all);
            all.forEach(indices -> results.add(IngestObservation.failed(indices, now, lookback,
                    new BackendUnavailableException("looking up the newest event of " + indices + " failed: "
                            + e.getClass().getSimpleName() + " (the adapter's log has the details)", e))));
        }
        for (int i = 0; i < all.size(); i++) {
            EventIndices indices = all.get(i);
            IngestObservation result = results.get(i);
            // Only events stand for a while: an index that appears, or a first event, is seen on the next request.
            if (result.newestEvent().isPresent()) {
                observed.put(indices, result);
            }
            if (requestFailed) {
                failed.put(indices, result);
            }
            CompletableFuture<IngestObservation> claim = claims.get(indices);
            inFlight.remove(indices, claim);
            claim.complete(result);
        }
    }

    /**
     * An answer that lacks a shard, or timed out, could miss the newest event: it is a failed look-up, never
     * "no events". A missing concrete index is the same as a pattern matching none.
     */
    static IngestObservation observation(EventIndices indices, Instant now, Duration lookback, JsonNode answer) {
        if (answer.has("error")) {
            JsonNode error = answer.path("error");
            String type = error.path("root_cause").path(0).path("type").asText(error.path("type").asText(""));
            if ("index_not_found_exception".equals(type)) {
                return IngestObservation.noIndex(indices, now, lookback);
            }
            return IngestObservation.failed(indices, now, lookback, new BackendUnavailableException("Elasticsearch answered "
                    + answer.path("status").asInt() + " to the look-up of the newest event of " + indices + ": "
                    + SearchClient.reason(error)));
        }
        if (answer.path("_shards").path("total").asInt(-1) == 0) {
            return IngestObservation.noIndex(indices, now, lookback);
        }
        Optional<String> incompleteness = SearchResponseConverter.incompleteness(answer);
        if (incompleteness.isPresent()) {
            return IngestObservation.failed(indices, now, lookback, new BackendUnavailableException(
                    "Elasticsearch gave no complete answer to the look-up of the newest event of " + indices + ": "
                            + incompleteness.get()));
        }
        JsonNode aggregations = answer.path("aggregations");
        return IngestObservation.found(indices, now, lookback, time(aggregations.path(SearchRequestFactory.NEWEST_AGGREGATION)),
                time(aggregations.path(SearchRequestFactory.ARRIVAL_AGGREGATION)));
    }

    /** A {@code max} of a date field: epoch milliseconds, or null where no document has the field. */
    private static Optional<Instant> time(JsonNode max) {
        JsonNode value = max.path("value");
        return value.isNumber() ? Optional.of(Instant.ofEpochMilli(value.asLong())) : Optional.empty();
    }
}
